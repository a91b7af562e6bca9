"""Screening configuration: the shipped defaults and a pack's ``[screening]`` table.

A pack is data (DESIGN.md): its TOML file may carry a top-level ``[screening]`` table, read here
with ``tomllib``.  A pack without one gets the shipped defaults (``data/default.toml``, the same
format).  The format is described in ``docs/screening.md``; every array-of-tables entry cites the
requirement it implements (``req = "C-06"``).

File references: ``builtin:NAME`` is a file under this package's ``data/`` folder; anything else
is a path relative to the pack file's folder (or absolute).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .lexicon import SEVERITIES, Term

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_CONFIG_FILE = DATA_DIR / "default.toml"
IGNORE = "ignore"
KINDS = ("post", "comment")


class ConfigError(ValueError):
    """The ``[screening]`` configuration is invalid; the message says where and why."""


@dataclass(frozen=True)
class LexiconSource:
    """A lexicon file: every term in it gets this category and severity (C-06, E-01)."""

    file: str
    category: str
    severity: str = "block"
    req: str = "C-06"
    pinyin: bool = False  # match pinyin spellings and initials of these terms
    min_length: int = 1  # skip terms shorter than this many characters (after folding)
    skip_ascii: bool = False  # skip terms that are only ASCII letters/digits (English words)


@dataclass(frozen=True)
class AllowRule:
    """Allow-phrases: a hit entirely inside one of them is masked (C-06)."""

    phrases: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # empty: masks hits of every category
    req: str = "C-06"
    name: str = ""  # what the screening page calls this list (default: its file names)


@dataclass(frozen=True)
class CategoryPolicy:
    """Per-category override of the terms' severity: block, review or ignore (E-01)."""

    category: str
    severity: str
    req: str = "C-06"


@dataclass(frozen=True)
class RuleSpec:
    """A format rule (see ``rules.py``) with its parameters."""

    rule: str
    req: str
    severity: str = "review"
    channel: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    enabled: bool = True

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class RelevanceSpec:
    """Posts must be on topic (W-17): keyword vocabularies and how many distinct words to need."""

    vocabularies: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    min_hits: int = 1
    severity: str = "review"
    req: str = "W-17"


@dataclass(frozen=True)
class SegmentationSpec:
    """Short terms across word boundaries (issue 10 §5): a shipped or pack term of 2 to
    ``max_length`` CJK characters is kept only where the segmentation makes it a word."""

    enabled: bool = True
    max_length: int = 2
    req: str = "C-06"


@dataclass(frozen=True)
class EngineConfig:
    """Everything the engine is built from; its digest is part of the lexicon version."""

    name: str = "default"
    lexicons: tuple[LexiconSource, ...] = ()
    terms: tuple[Term, ...] = ()
    # The organisation's own terms (its lexicon rows, ``--lexicon FILE``): never dropped by a
    # category policy or an allow-list, screened with the severity given (issue 8 §5).
    own_terms: tuple[Term, ...] = ()
    allow: tuple[AllowRule, ...] = ()
    categories: tuple[CategoryPolicy, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    relevance: RelevanceSpec | None = None
    max_noise: int = 3
    segmentation: SegmentationSpec = SegmentationSpec()
    base_dir: str = ""  # folder that relative file references resolve against

    def with_terms(self, terms: Iterable[Term]) -> EngineConfig:
        """A copy with an organisation's own terms (``--lexicon FILE`` or the lexicon tables):
        allow-lists and category policies do not apply to them."""
        return replace(self, own_terms=self.own_terms + tuple(terms))

    def category_severity(self) -> dict[str, str]:
        return {policy.category: policy.severity for policy in self.categories}

    def digest(self) -> str:
        """Hash of the settings that change verdicts beyond the terms and allow-phrases (those
        are hashed from their resolved content by the engine; file paths and names are not)."""
        data = asdict(self)
        for key in ("name", "base_dir", "terms", "own_terms", "lexicons", "allow"):
            data.pop(key)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def resolve_file(reference: str, base_dir: str | Path = "") -> Path:
    """``builtin:NAME`` → the package's data folder; otherwise relative to ``base_dir``."""
    if reference.startswith("builtin:"):
        return DATA_DIR / reference.removeprefix("builtin:")
    path = Path(reference)
    if not path.is_absolute() and base_dir:
        path = Path(base_dir) / path
    return path


# --- parsing ------------------------------------------------------------------------------------


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{where}: expected {names}, got {type(value).__name__}")
    return value


def _severity(value: Any, where: str, *, allow_ignore: bool = False) -> str:
    allowed = SEVERITIES + ((IGNORE,) if allow_ignore else ())
    if value not in allowed:
        raise ConfigError(f"{where}: severity must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    items = _expect(value, list, where)
    return tuple(_expect(item, str, f"{where}[{i}]") for i, item in enumerate(items))


def _tables(section: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = section.get(key, [])
    items = _expect(items, list, f"{where}.{key}")
    out = []
    for i, item in enumerate(items):
        item = _expect(item, dict, f"{where}.{key}[{i}]")
        if "req" not in item or not isinstance(item["req"], str):
            raise ConfigError(f'{where}.{key}[{i}]: every entry needs req = "<requirement ID>"')
        out.append(item)
    return out


def _unknown(item: Mapping[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(item) - known)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}")


def parse_screening(table: Mapping[str, Any], *, name: str, base_dir: str) -> EngineConfig:
    """Parse one ``[screening]`` table (without applying defaults)."""
    where = f"{name}: [screening]"
    _unknown(
        table,
        {"defaults", "max_noise", "lexicons", "terms", "allow", "categories", "rules"}
        | {"relevance", "version", "description", "segmentation"},
        where,
    )
    lexicons = []
    for i, item in enumerate(_tables(table, "lexicons", where)):
        at = f"{where}.lexicons[{i}]"
        _unknown(
            item,
            {"req", "file", "category", "severity", "pinyin", "min_length", "skip_ascii", "note"},
            at,
        )
        lexicons.append(
            LexiconSource(
                file=_expect(item.get("file"), str, f"{at}.file"),
                category=_expect(item.get("category", "custom"), str, f"{at}.category"),
                severity=_severity(item.get("severity", "block"), f"{at}.severity"),
                req=item["req"],
                pinyin=_expect(item.get("pinyin", False), bool, f"{at}.pinyin"),
                min_length=_expect(item.get("min_length", 1), int, f"{at}.min_length"),
                skip_ascii=_expect(item.get("skip_ascii", False), bool, f"{at}.skip_ascii"),
            )
        )
    terms: list[Term] = []
    for i, item in enumerate(_tables(table, "terms", where)):
        at = f"{where}.terms[{i}]"
        _unknown(item, {"req", "terms", "category", "severity", "note", "pinyin"}, at)
        category = _expect(item.get("category", "custom"), str, f"{at}.category")
        severity = _severity(item.get("severity", "block"), f"{at}.severity")
        note = _expect(item.get("note", item["req"]), str, f"{at}.note")
        pinyin = _expect(item.get("pinyin", False), bool, f"{at}.pinyin")
        for text in _strings(item.get("terms", []), f"{at}.terms"):
            terms.append(Term(text, category, severity, note, pinyin))
    allow = []
    for i, item in enumerate(_tables(table, "allow", where)):
        at = f"{where}.allow[{i}]"
        _unknown(item, {"req", "phrases", "files", "categories", "note", "name"}, at)
        allow.append(
            AllowRule(
                phrases=_strings(item.get("phrases", []), f"{at}.phrases"),
                files=_strings(item.get("files", []), f"{at}.files"),
                categories=_strings(item.get("categories", []), f"{at}.categories"),
                req=item["req"],
                name=_expect(item.get("name", ""), str, f"{at}.name"),
            )
        )
    categories = []
    for i, item in enumerate(_tables(table, "categories", where)):
        at = f"{where}.categories[{i}]"
        _unknown(item, {"req", "category", "severity", "note"}, at)
        categories.append(
            CategoryPolicy(
                category=_expect(item.get("category"), str, f"{at}.category"),
                severity=_severity(item.get("severity"), f"{at}.severity", allow_ignore=True),
                req=item["req"],
            )
        )
    rules = []
    for i, item in enumerate(_tables(table, "rules", where)):
        at = f"{where}.rules[{i}]"
        rule = _expect(item.get("rule"), str, f"{at}.rule")
        params = {
            k: v
            for k, v in item.items()
            if k not in {"rule", "req", "severity", "channel", "enabled", "note"}
        }
        for key, value in params.items():
            if isinstance(value, list):
                params[key] = tuple(value)
        channel = item.get("channel")
        rules.append(
            RuleSpec(
                rule=rule,
                req=item["req"],
                severity=_severity(item.get("severity", "review"), f"{at}.severity"),
                channel=None if channel is None else _expect(channel, str, f"{at}.channel"),
                params=tuple(sorted(params.items())),
                enabled=_expect(item.get("enabled", True), bool, f"{at}.enabled"),
            )
        )
    relevance = None
    if "relevance" in table:
        item = _expect(table["relevance"], dict, f"{where}.relevance")
        at = f"{where}.relevance"
        _unknown(item, {"req", "vocabularies", "words", "min_hits", "severity", "note"}, at)
        relevance = RelevanceSpec(
            vocabularies=_strings(item.get("vocabularies", []), f"{at}.vocabularies"),
            words=_strings(item.get("words", []), f"{at}.words"),
            min_hits=_expect(item.get("min_hits", 1), int, f"{at}.min_hits"),
            severity=_severity(item.get("severity", "review"), f"{at}.severity"),
            req=_expect(item.get("req", "W-17"), str, f"{at}.req"),
        )
    segmentation = SegmentationSpec()
    if "segmentation" in table:
        item = _expect(table["segmentation"], dict, f"{where}.segmentation")
        at = f"{where}.segmentation"
        _unknown(item, {"req", "enabled", "max_length", "note"}, at)
        segmentation = SegmentationSpec(
            enabled=_expect(item.get("enabled", True), bool, f"{at}.enabled"),
            max_length=_expect(item.get("max_length", 2), int, f"{at}.max_length"),
            req=_expect(item.get("req", "C-06"), str, f"{at}.req"),
        )
        if not 2 <= segmentation.max_length <= 8:
            raise ConfigError(f"{at}.max_length: must be between 2 and 8")
    max_noise = _expect(table.get("max_noise", 3), int, f"{where}.max_noise")
    if not 0 <= max_noise <= 10:
        raise ConfigError(f"{where}.max_noise: must be between 0 and 10")
    return EngineConfig(
        name=name,
        lexicons=tuple(lexicons),
        terms=tuple(terms),
        allow=tuple(allow),
        categories=tuple(categories),
        rules=tuple(rules),
        relevance=relevance,
        max_noise=max_noise,
        segmentation=segmentation,
        base_dir=base_dir,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def default_config() -> EngineConfig:
    """The shipped default configuration (``data/default.toml``)."""
    data = _read_toml(DEFAULT_CONFIG_FILE)
    return parse_screening(data["screening"], name="default", base_dir=str(DATA_DIR))


def _absolute(sources: Iterable[LexiconSource], base_dir: str) -> tuple[LexiconSource, ...]:
    return tuple(
        replace(s, file=str(resolve_file(s.file, base_dir)))
        if not s.file.startswith("builtin:")
        else s
        for s in sources
    )


def _absolute_allow(rules: Iterable[AllowRule], base_dir: str) -> tuple[AllowRule, ...]:
    return tuple(
        replace(
            r,
            files=tuple(
                f if f.startswith("builtin:") else str(resolve_file(f, base_dir)) for f in r.files
            ),
        )
        for r in rules
    )


def merge(base: EngineConfig, pack: EngineConfig) -> EngineConfig:
    """Pack settings on top of the defaults: lists are extended, a pack's category policy and a
    rule of the same name replace the default one, relevance and max_noise are the pack's."""
    categories = {p.category: p for p in base.categories}
    categories.update({p.category: p for p in pack.categories})
    rules = {r.rule + "@" + (r.channel or "*"): r for r in base.rules}
    rules.update({r.rule + "@" + (r.channel or "*"): r for r in pack.rules})
    return EngineConfig(
        name=pack.name,
        lexicons=_absolute(base.lexicons, base.base_dir) + _absolute(pack.lexicons, pack.base_dir),
        terms=base.terms + pack.terms,
        own_terms=base.own_terms + pack.own_terms,
        allow=_absolute_allow(base.allow, base.base_dir)
        + _absolute_allow(pack.allow, pack.base_dir),
        categories=tuple(categories.values()),
        rules=tuple(rules.values()),
        relevance=pack.relevance or base.relevance,
        max_noise=pack.max_noise,
        segmentation=pack.segmentation
        if pack.segmentation != SegmentationSpec()
        else base.segmentation,
        base_dir=pack.base_dir,
    )


def config_for_pack(pack_name: str, packs_dir: Path | str) -> EngineConfig:
    """The engine configuration of one pack (its ``[screening]`` table over the defaults)."""
    path = Path(packs_dir) / f"{pack_name}.toml"
    if not path.is_file():
        raise ConfigError(f"pack {pack_name!r} not found (looked for {path})")
    data = _read_toml(path)
    table = data.get("screening")
    if table is None:
        return replace(default_config(), name=pack_name)
    table = _expect(table, dict, f"{pack_name}: [screening]")
    pack = parse_screening(table, name=pack_name, base_dir=str(path.parent))
    if not _expect(table.get("defaults", True), bool, f"{pack_name}: [screening].defaults"):
        return replace(
            pack,
            lexicons=_absolute(pack.lexicons, pack.base_dir),
            allow=_absolute_allow(pack.allow, pack.base_dir),
        )
    return merge(default_config(), pack)


def known_packs(packs_dir: Path | str) -> list[str]:
    return sorted(p.stem for p in Path(packs_dir).glob("*.toml"))


__all__ = [
    "AllowRule",
    "CategoryPolicy",
    "ConfigError",
    "EngineConfig",
    "LexiconSource",
    "RelevanceSpec",
    "RuleSpec",
    "SegmentationSpec",
    "config_for_pack",
    "default_config",
    "known_packs",
    "merge",
    "resolve_file",
]
