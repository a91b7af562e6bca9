"""The pack checker every section's validator uses: the kinds a value may have, the spec of
a table (its keys, their kinds, which are required), and :class:`Checker`, which reads a
table against its spec and collects every problem as a :class:`PackError` with its key path.

Pure Python, no Django import. The sections are checked in :mod:`.validate` (the file as a
whole), :mod:`.validate_vocabulary`, :mod:`.validate_organisation` and
:mod:`.validate_chains`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guanwei.core.catalog import PERMISSIONS, SCOPES
from guanwei.packs.requirements import REQUIREMENT_IDS
from guanwei.packs.schema import PackError

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

STR, BOOL, STRS, REQ, TABLES, TABLE, INT = ("str", "bool", "strs", "req", "tables", "table", "int")


@dataclass(frozen=True)
class Field:
    kind: str
    required: bool = False


def spec(required: Iterable[str] = (), **kinds: str) -> dict[str, Field]:
    needed = set(required)
    return {key: Field(kind, key in needed) for key, kind in kinds.items()}


DEFAULTS: dict[str, Any] = {
    STR: "",
    BOOL: False,
    STRS: (),
    REQ: (),
    TABLES: [],
    TABLE: None,
    INT: 0,
}
_KIND_WORDS = {
    STR: "a string",
    BOOL: "a boolean (true or false)",
    STRS: "an array of strings",
    REQ: 'a requirement ID or an array of them (e.g. "W-02" or ["W-02", "W-14"])',
    TABLES: "an array of tables ([[...]] or [{...}, ...])",
    TABLE: "a table",
    INT: "an integer",
}


def type_name(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def choices(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in values)


def _req_summary() -> str:
    prefixes: dict[str, list[str]] = {}
    for rid in sorted(REQUIREMENT_IDS):
        prefixes.setdefault(rid[0], []).append(rid)
    return ", ".join(f"{ids[0]}..{ids[-1]}" for ids in prefixes.values())


class Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PackError] = []

    def error(self, key_path: str, message: str) -> None:
        self.errors.append(PackError(self.file, key_path, message))

    # ------------------------------------------------------------- generic table reading

    def table(self, raw: object, path: str, spec: dict[str, Field], what: str) -> dict[str, Any]:
        """Check ``raw`` against ``spec``; return every spec key (defaults for absent ones)."""
        out: dict[str, Any] = {key: DEFAULTS[f.kind] for key, f in spec.items()}
        if not isinstance(raw, dict):
            self.error(path, f"expected a table ({what}), got {type_name(raw)}")
            return out
        for key in raw:
            if key not in spec:
                self.unknown_key(path, key, spec, what)
        for key, f in spec.items():
            key_path = f"{path}.{key}" if path else key
            if key not in raw:
                if f.required:
                    hint = " (every rule must cite a requirement ID)" if f.kind == REQ else ""
                    self.error(key_path, f"missing required key {key!r} in {what}{hint}")
                continue
            out[key] = self.value(raw[key], key_path, f.kind)
        return out

    def unknown_key(self, path: str, key: str, spec: dict[str, Field], what: str) -> None:
        key_path = f"{path}.{key}" if path else key
        close = difflib.get_close_matches(key, list(spec), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.error(key_path, f"unknown key {key!r} in {what}{hint}; allowed keys: {choices(spec)}")

    def value(self, raw: object, path: str, kind: str) -> Any:
        if kind == STR:
            if isinstance(raw, str):
                return raw.strip()
        elif kind == BOOL:
            if isinstance(raw, bool):
                return raw
        elif kind == STRS:
            if isinstance(raw, list):
                items: list[str] = []
                for i, item in enumerate(raw):
                    if isinstance(item, str):
                        items.append(item.strip())
                    else:
                        self.error(f"{path}[{i}]", f"expected a string, got {type_name(item)}")
                return tuple(items)
        elif kind == REQ:
            return self.req(raw, path)
        elif kind == TABLES:
            if isinstance(raw, list):
                return raw
        elif kind == TABLE:
            if isinstance(raw, dict):
                return raw
        elif kind == INT:
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
        self.error(path, f"expected {_KIND_WORDS[kind]}, got {type_name(raw)}")
        return DEFAULTS[kind]

    def req(self, raw: object, path: str) -> tuple[str, ...]:
        if isinstance(raw, str):
            entries: list[tuple[str, object]] = [(path, raw)]
        elif isinstance(raw, list):
            if not raw:
                self.error(path, 'must cite at least one requirement ID (e.g. "W-02")')
                return ()
            entries = [(f"{path}[{i}]", item) for i, item in enumerate(raw)]
        else:
            self.error(path, f"expected {_KIND_WORDS[REQ]}, got {type_name(raw)}")
            return ()
        cited: list[str] = []
        for item_path, item in entries:
            if not isinstance(item, str):
                self.error(item_path, f"expected a requirement ID string, got {type_name(item)}")
            elif item.strip() not in REQUIREMENT_IDS:
                self.error(
                    item_path,
                    f"unknown requirement ID {item!r}; known IDs are {_req_summary()} "
                    "(see REQUIREMENTS.md)",
                )
            else:
                cited.append(item.strip())
        return tuple(cited)

    def tables(self, raw: list[Any], path: str, spec: dict[str, Field], what: str) -> list[Any]:
        return [self.table(item, f"{path}[{i}]", spec, what) for i, item in enumerate(raw)]

    # ------------------------------------------------------------- small checks

    def key(self, value: str, path: str, what: str = "key") -> None:
        if value and not KEY_RE.match(value):
            self.error(
                path,
                f"invalid {what} {value!r}: use lowercase ASCII letters, digits and '_', "
                "starting with a letter (at most 64 characters)",
            )

    def unique(self, items: list[dict[str, Any]], field: str, path: str, what: str) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            value = item[field]
            if not value:
                continue
            if value in seen:
                self.error(
                    f"{path}[{i}].{field}",
                    f"duplicate {what} {value!r}: already used by {path}[{seen[value]}]; "
                    f"each {what} must be unique",
                )
            else:
                seen[value] = i

    def choice(self, value: str, path: str, allowed: Iterable[str], what: str) -> None:
        options = list(allowed)
        if value not in options:
            self.error(path, f"unknown {what} {value!r}; allowed: {choices(options) or 'none'}")

    def reference(self, value: str, path: str, known: Iterable[str], what: str, where: str) -> None:
        options = list(known)
        if value in options:
            return
        close = difflib.get_close_matches(value, options, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        listed = choices(options) if len(options) <= 20 else f"{len(options)} defined"
        self.error(path, f"unknown {what} {value!r}{hint}; {where}: {listed or 'none'}")

    def permissions(self, values: tuple[str, ...], path: str) -> tuple[str, ...]:
        """Check permission names; expand a prefix wildcard like ``unit.*``."""
        granted: list[str] = []
        for i, name in enumerate(values):
            if name.endswith(".*"):
                prefix = name[:-1]
                matches = [p for p in PERMISSIONS if p.startswith(prefix)]
                if not matches:
                    self.error(
                        f"{path}[{i}]",
                        f"wildcard {name!r} matches no permission in catalog.PERMISSIONS",
                    )
                granted.extend(matches)
            elif name in PERMISSIONS:
                granted.append(name)
            else:
                close = difflib.get_close_matches(name, list(PERMISSIONS), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(
                    f"{path}[{i}]",
                    f"unknown permission {name!r}{hint}; allowed: the names in "
                    "guanwei/core/catalog.py PERMISSIONS, or a prefix wildcard like 'post.*'",
                )
        return tuple(dict.fromkeys(granted))

    def scope(self, value: str, path: str) -> str:
        if not value:
            return "unit"
        self.choice(value, path, SCOPES, "scope")
        return value
