"""Check a parsed pack (the dict ``tomllib`` returns) and build the frozen :class:`Pack`.

Every problem becomes a :class:`PackError` with a key path (``roles[3].permissions[1]``,
``organisation.units[5].parent``) and an English message saying what is wrong and what is
allowed. The checker never stops at the first problem: a pack author sees them all at once.
Pure Python, no Django import.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guanwei.core.catalog import CHANNEL_STATUSES, PERMISSIONS, PLATFORMS, SCOPES
from guanwei.packs.requirements import REQUIREMENT_IDS
from guanwei.packs.schema import (
    KINDS,
    PACK_NAME_RE,
    RESERVED_SECTIONS,
    Category,
    ChannelKind,
    ChannelSpec,
    Column,
    Duty,
    FollowSpec,
    MembershipSpec,
    Organisation,
    Pack,
    PackError,
    PersonSpec,
    Principle,
    Role,
    SubType,
    UnitSpec,
    UnitType,
)

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,149}$")
VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
HASHTAG_RE = re.compile(r"^#[^#\s]{1,32}#$")

STR, BOOL, STRS, REQ, TABLES, TABLE, INT = ("str", "bool", "strs", "req", "tables", "table", "int")


@dataclass(frozen=True)
class _F:
    kind: str
    required: bool = False


def _spec(required: Iterable[str] = (), **kinds: str) -> dict[str, _F]:
    needed = set(required)
    return {key: _F(kind, key in needed) for key, kind in kinds.items()}


PACK = _spec(
    ("name", "version", "title", "kind"),
    name=STR,
    version=STR,
    title=STR,
    kind=STR,
    summary=STR,
    source=STR,
)
PRINCIPLE = _spec(("text", "req"), text=STR, req=REQ, description=STR)
ROLE = _spec(
    ("key", "name", "req"),
    key=STR,
    name=STR,
    req=REQ,
    description=STR,
    permissions=STRS,
    scope=STR,
)
UNIT_TYPE = _spec(
    ("key", "name", "req"), key=STR, name=STR, req=REQ, description=STR, duties=TABLES
)
DUTY = _spec(
    ("key", "name", "req"),
    key=STR,
    name=STR,
    req=REQ,
    description=STR,
    roles=STRS,
    permissions=STRS,
    scope=STR,
)
CATEGORY = _spec(("key", "name", "req"), key=STR, name=STR, req=REQ, subtypes=TABLES)
SUBTYPE = _spec(("key", "name"), key=STR, name=STR)
COLUMN = _spec(
    ("key", "name", "hashtag", "req"),
    key=STR,
    name=STR,
    hashtag=STR,
    req=REQ,
    category=STR,
    owner_unit=STR,
    description=STR,
)
CHANNEL_KIND = _spec(
    ("key", "name", "platform", "req"), key=STR, name=STR, platform=STR, req=REQ, description=STR
)
ORGANISATION = _spec(
    ("key", "name", "units"),
    key=STR,
    name=STR,
    units=TABLES,
    people=TABLES,
    channels=TABLES,
    follows=TABLES,
)
UNIT = _spec(("key", "name", "type", "req"), key=STR, name=STR, type=STR, parent=STR, req=REQ)
PERSON = _spec(("username", "name"), username=STR, name=STR, title=STR, memberships=TABLES)
MEMBERSHIP = _spec(("unit", "role"), unit=STR, role=STR)
CHANNEL = _spec(
    ("key", "name", "kind", "unit", "req"),
    key=STR,
    name=STR,
    kind=STR,
    unit=STR,
    req=REQ,
    account_id=STR,
    manager=STR,
    responsible=STR,
    status=STR,
    verified=BOOL,
    serves=STRS,
)
FOLLOW = _spec(("follower", "followee", "req"), follower=STR, followee=STR, req=REQ)

TOP_LEVEL = _spec(
    ("pack",),
    pack=TABLE,
    principles=TABLES,
    roles=TABLES,
    unit_types=TABLES,
    categories=TABLES,
    columns=TABLES,
    channel_kinds=TABLES,
    organisation=TABLE,
    chains=TABLES,
)
_DEFAULTS: dict[str, Any] = {
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


def _type_name(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def _choices(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in values)


def _req_summary() -> str:
    prefixes: dict[str, list[str]] = {}
    for rid in sorted(REQUIREMENT_IDS):
        prefixes.setdefault(rid[0], []).append(rid)
    return ", ".join(f"{ids[0]}..{ids[-1]}" for ids in prefixes.values())


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PackError] = []

    def error(self, key_path: str, message: str) -> None:
        self.errors.append(PackError(self.file, key_path, message))

    # ------------------------------------------------------------- generic table reading

    def table(self, raw: object, path: str, spec: dict[str, _F], what: str) -> dict[str, Any]:
        """Check ``raw`` against ``spec``; return every spec key (defaults for absent ones)."""
        out: dict[str, Any] = {key: _DEFAULTS[f.kind] for key, f in spec.items()}
        if not isinstance(raw, dict):
            self.error(path, f"expected a table ({what}), got {_type_name(raw)}")
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

    def unknown_key(self, path: str, key: str, spec: dict[str, _F], what: str) -> None:
        key_path = f"{path}.{key}" if path else key
        close = difflib.get_close_matches(key, list(spec), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.error(key_path, f"unknown key {key!r} in {what}{hint}; allowed keys: {_choices(spec)}")

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
                        self.error(f"{path}[{i}]", f"expected a string, got {_type_name(item)}")
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
        self.error(path, f"expected {_KIND_WORDS[kind]}, got {_type_name(raw)}")
        return _DEFAULTS[kind]

    def req(self, raw: object, path: str) -> tuple[str, ...]:
        if isinstance(raw, str):
            entries: list[tuple[str, object]] = [(path, raw)]
        elif isinstance(raw, list):
            if not raw:
                self.error(path, 'must cite at least one requirement ID (e.g. "W-02")')
                return ()
            entries = [(f"{path}[{i}]", item) for i, item in enumerate(raw)]
        else:
            self.error(path, f"expected {_KIND_WORDS[REQ]}, got {_type_name(raw)}")
            return ()
        cited: list[str] = []
        for item_path, item in entries:
            if not isinstance(item, str):
                self.error(item_path, f"expected a requirement ID string, got {_type_name(item)}")
            elif item.strip() not in REQUIREMENT_IDS:
                self.error(
                    item_path,
                    f"unknown requirement ID {item!r}; known IDs are {_req_summary()} "
                    "(see REQUIREMENTS.md)",
                )
            else:
                cited.append(item.strip())
        return tuple(cited)

    def tables(self, raw: list[Any], path: str, spec: dict[str, _F], what: str) -> list[Any]:
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
            self.error(path, f"unknown {what} {value!r}; allowed: {_choices(options) or 'none'}")

    def reference(self, value: str, path: str, known: Iterable[str], what: str, where: str) -> None:
        options = list(known)
        if value in options:
            return
        close = difflib.get_close_matches(value, options, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        listed = _choices(options) if len(options) <= 20 else f"{len(options)} defined"
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


# ------------------------------------------------------------------- sections


def build_pack(
    data: dict[str, Any], *, file: str, stem: str, sha256: str
) -> tuple[Pack | None, list[PackError]]:
    """Validate ``data`` (a parsed pack file); return the pack (or None) and all errors."""
    c = _Checker(file)
    allowed_top = dict(TOP_LEVEL)
    allowed_top.update({name: _F(TABLE) for name in RESERVED_SECTIONS})
    for key in data:
        if key not in allowed_top:
            c.unknown_key("", key, allowed_top, "the pack file (top level)")

    if "pack" not in data:
        head: dict[str, Any] = {key: _DEFAULTS[f.kind] for key, f in PACK.items()}
        c.error("pack", "missing required table [pack] (name, version, title, kind)")
    else:
        head = c.table(data["pack"], "pack", PACK, "[pack]")
        if head["name"] and head["name"] != stem:
            c.error("pack.name", f"pack name {head['name']!r} must equal the file stem {stem!r}")
        if head["name"] and not PACK_NAME_RE.match(head["name"]):
            c.error(
                "pack.name",
                f"invalid pack name {head['name']!r}: use lowercase ASCII, digits and '-'",
            )
        if head["version"] and not VERSION_RE.match(head["version"]):
            c.error(
                "pack.version",
                f"invalid version {head['version']!r}: use MAJOR.MINOR.PATCH like '1.0.0'",
            )
        if head["kind"]:
            c.choice(head["kind"], "pack.kind", KINDS, "pack kind")

    def section(name: str) -> list[Any]:
        if name not in data:
            return []
        raw = c.value(data[name], name, TABLES)
        return list(raw)

    principles = _principles(c, section("principles"))
    roles = _roles(c, section("roles"))
    role_keys = [r.key for r in roles]
    unit_types = _unit_types(c, section("unit_types"), role_keys)
    categories = _categories(c, section("categories"))
    channel_kinds = _channel_kinds(c, section("channel_kinds"))

    organisation: Organisation | None = None
    if "organisation" in data:
        if head["kind"] == "overlay":
            c.error(
                "organisation",
                "an overlay pack must not define an organisation; it adds rules to the "
                "organisation of a base pack",
            )
        raw_org = c.value(data["organisation"], "organisation", TABLE)
        if raw_org is not None:
            organisation = _organisation(
                c, raw_org, role_keys, [t.key for t in unit_types], [k.key for k in channel_kinds]
            )
    unit_keys = [u.key for u in organisation.units] if organisation else []
    columns = _columns(c, section("columns"), [k.key for k in categories], unit_keys)
    from guanwei.packs.validate_chains import chains_section

    chains = chains_section(
        c,
        section("chains"),
        role_keys=role_keys,
        unit_keys=unit_keys,
        category_keys=[k.key for k in categories],
        column_keys=[k.key for k in columns],
        channel_keys=[ch.key for ch in organisation.channels] if organisation else [],
        usernames=[p.username for p in organisation.people] if organisation else [],
    )

    extras: dict[str, object] = {}
    for name in RESERVED_SECTIONS:
        if name in data:
            extras[name] = data[name]
            _reserved(c, name, data[name])

    if c.errors:
        return None, c.errors
    pack = Pack(
        name=head["name"],
        version=head["version"],
        title=head["title"],
        kind=head["kind"],
        summary=head["summary"],
        source=head["source"],
        principles=principles,
        roles=roles,
        unit_types=unit_types,
        categories=categories,
        columns=columns,
        channel_kinds=channel_kinds,
        organisation=organisation,
        chains=chains,
        extras=extras,
        path=file,
        sha256=sha256,
    )
    return pack, []


def _principles(c: _Checker, raw: list[Any]) -> tuple[Principle, ...]:
    items = c.tables(raw, "principles", PRINCIPLE, "a principle")
    c.unique(items, "text", "principles", "principle text")
    return tuple(
        Principle(text=i["text"], req=i["req"], description=i["description"]) for i in items
    )


def _roles(c: _Checker, raw: list[Any]) -> tuple[Role, ...]:
    items = c.tables(raw, "roles", ROLE, "a role")
    c.unique(items, "key", "roles", "role key")
    roles: list[Role] = []
    for i, item in enumerate(items):
        path = f"roles[{i}]"
        c.key(item["key"], f"{path}.key", "role key")
        roles.append(
            Role(
                key=item["key"],
                name=item["name"],
                req=item["req"],
                description=item["description"],
                permissions=c.permissions(item["permissions"], f"{path}.permissions"),
                scope=c.scope(item["scope"], f"{path}.scope"),
            )
        )
    return tuple(roles)


def _unit_types(c: _Checker, raw: list[Any], role_keys: list[str]) -> tuple[UnitType, ...]:
    items = c.tables(raw, "unit_types", UNIT_TYPE, "a unit type")
    c.unique(items, "key", "unit_types", "unit type key")
    unit_types: list[UnitType] = []
    for i, item in enumerate(items):
        path = f"unit_types[{i}]"
        c.key(item["key"], f"{path}.key", "unit type key")
        duty_items = c.tables(item["duties"], f"{path}.duties", DUTY, "a duty")
        c.unique(duty_items, "key", f"{path}.duties", "duty key")
        duties: list[Duty] = []
        for j, duty in enumerate(duty_items):
            duty_path = f"{path}.duties[{j}]"
            c.key(duty["key"], f"{duty_path}.key", "duty key")
            for k, role in enumerate(duty["roles"]):
                c.reference(role, f"{duty_path}.roles[{k}]", role_keys, "role", "roles defined")
            duties.append(
                Duty(
                    key=duty["key"],
                    name=duty["name"],
                    req=duty["req"],
                    description=duty["description"],
                    roles=duty["roles"],
                    permissions=c.permissions(duty["permissions"], f"{duty_path}.permissions"),
                    scope=c.scope(duty["scope"], f"{duty_path}.scope"),
                )
            )
        unit_types.append(
            UnitType(
                key=item["key"],
                name=item["name"],
                req=item["req"],
                description=item["description"],
                duties=tuple(duties),
            )
        )
    return tuple(unit_types)


def _categories(c: _Checker, raw: list[Any]) -> tuple[Category, ...]:
    items = c.tables(raw, "categories", CATEGORY, "a category")
    c.unique(items, "key", "categories", "category key")
    categories: list[Category] = []
    for i, item in enumerate(items):
        path = f"categories[{i}]"
        c.key(item["key"], f"{path}.key", "category key")
        subtypes = c.tables(item["subtypes"], f"{path}.subtypes", SUBTYPE, "a sub-type")
        c.unique(subtypes, "key", f"{path}.subtypes", "sub-type key")
        for j, sub in enumerate(subtypes):
            c.key(sub["key"], f"{path}.subtypes[{j}].key", "sub-type key")
        categories.append(
            Category(
                key=item["key"],
                name=item["name"],
                req=item["req"],
                subtypes=tuple(SubType(key=s["key"], name=s["name"]) for s in subtypes),
            )
        )
    return tuple(categories)


def _columns(
    c: _Checker, raw: list[Any], category_keys: list[str], unit_keys: list[str]
) -> tuple[Column, ...]:
    items = c.tables(raw, "columns", COLUMN, "a column")
    c.unique(items, "key", "columns", "column key")
    c.unique(items, "hashtag", "columns", "column hashtag")
    columns: list[Column] = []
    for i, item in enumerate(items):
        path = f"columns[{i}]"
        c.key(item["key"], f"{path}.key", "column key")
        if item["hashtag"] and not HASHTAG_RE.match(item["hashtag"]):
            c.error(
                f"{path}.hashtag",
                f"invalid hashtag {item['hashtag']!r}: use the Weibo topic form '#话题#' with "
                "1-32 characters between the two '#', and no '#' or whitespace inside",
            )
        if item["category"]:
            c.reference(
                item["category"], f"{path}.category", category_keys, "category", "categories"
            )
        if item["owner_unit"]:
            c.reference(
                item["owner_unit"],
                f"{path}.owner_unit",
                unit_keys,
                "unit",
                "units of [organisation]",
            )
        columns.append(
            Column(
                key=item["key"],
                name=item["name"],
                hashtag=item["hashtag"],
                req=item["req"],
                category=item["category"],
                owner_unit=item["owner_unit"],
                description=item["description"],
            )
        )
    return tuple(columns)


def _channel_kinds(c: _Checker, raw: list[Any]) -> tuple[ChannelKind, ...]:
    items = c.tables(raw, "channel_kinds", CHANNEL_KIND, "a channel kind")
    c.unique(items, "key", "channel_kinds", "channel kind key")
    kinds: list[ChannelKind] = []
    for i, item in enumerate(items):
        path = f"channel_kinds[{i}]"
        c.key(item["key"], f"{path}.key", "channel kind key")
        if item["platform"]:
            c.choice(item["platform"], f"{path}.platform", PLATFORMS, "platform")
        kinds.append(
            ChannelKind(
                key=item["key"],
                name=item["name"],
                platform=item["platform"],
                req=item["req"],
                description=item["description"],
            )
        )
    return tuple(kinds)


def _organisation(
    c: _Checker,
    raw: dict[str, Any],
    role_keys: list[str],
    unit_type_keys: list[str],
    channel_kind_keys: list[str],
) -> Organisation:
    org = c.table(raw, "organisation", ORGANISATION, "[organisation]")
    c.key(org["key"], "organisation.key", "organisation key")

    # units: known types, known parents, exactly one root, no cycles
    units = c.tables(org["units"], "organisation.units", UNIT, "a unit")
    if "units" in raw and not units:
        c.error("organisation.units", "an organisation needs at least one unit (its root)")
    c.unique(units, "key", "organisation.units", "unit key")
    unit_keys = [u["key"] for u in units]
    for i, unit in enumerate(units):
        path = f"organisation.units[{i}]"
        c.key(unit["key"], f"{path}.key", "unit key")
        if unit["type"]:
            c.reference(unit["type"], f"{path}.type", unit_type_keys, "unit type", "unit types")
        if unit["parent"]:
            if unit["parent"] == unit["key"]:
                c.error(f"{path}.parent", f"unit {unit['key']!r} cannot be its own parent")
            else:
                c.reference(unit["parent"], f"{path}.parent", unit_keys, "parent unit", "units")
    _check_tree(c, units)

    # people and their memberships
    people = c.tables(org["people"], "organisation.people", PERSON, "a person")
    c.unique(people, "username", "organisation.people", "username")
    usernames = [p["username"] for p in people]
    person_specs: list[PersonSpec] = []
    for i, person in enumerate(people):
        path = f"organisation.people[{i}]"
        if person["username"] and not USERNAME_RE.match(person["username"]):
            c.error(
                f"{path}.username",
                f"invalid username {person['username']!r}: use lowercase ASCII letters, digits, "
                "'_', '.' or '-', starting with a letter",
            )
        memberships = c.tables(
            person["memberships"], f"{path}.memberships", MEMBERSHIP, "a membership"
        )
        for j, membership in enumerate(memberships):
            mpath = f"{path}.memberships[{j}]"
            if membership["unit"]:
                c.reference(membership["unit"], f"{mpath}.unit", unit_keys, "unit", "units")
            if membership["role"]:
                c.reference(membership["role"], f"{mpath}.role", role_keys, "role", "roles defined")
        person_specs.append(
            PersonSpec(
                username=person["username"],
                name=person["name"],
                title=person["title"],
                memberships=tuple(
                    MembershipSpec(unit=m["unit"], role=m["role"]) for m in memberships
                ),
            )
        )

    # channels
    channels = c.tables(org["channels"], "organisation.channels", CHANNEL, "a channel")
    c.unique(channels, "key", "organisation.channels", "channel key")
    channel_keys = [ch["key"] for ch in channels]
    channel_specs: list[ChannelSpec] = []
    for i, ch in enumerate(channels):
        path = f"organisation.channels[{i}]"
        c.key(ch["key"], f"{path}.key", "channel key")
        if ch["kind"]:
            c.reference(ch["kind"], f"{path}.kind", channel_kind_keys, "channel kind", "kinds")
        if ch["unit"]:
            c.reference(ch["unit"], f"{path}.unit", unit_keys, "unit", "units")
        for person_field in ("manager", "responsible"):
            if ch[person_field]:
                c.reference(
                    ch[person_field],
                    f"{path}.{person_field}",
                    usernames,
                    f"{person_field} username",
                    "people",
                )
        status = ch["status"] or "active"
        c.choice(status, f"{path}.status", CHANNEL_STATUSES, "channel status")
        for j, served in enumerate(ch["serves"]):
            c.reference(served, f"{path}.serves[{j}]", unit_keys, "unit", "units")
        channel_specs.append(
            ChannelSpec(
                key=ch["key"],
                name=ch["name"],
                kind=ch["kind"],
                unit=ch["unit"],
                req=ch["req"],
                account_id=ch["account_id"],
                manager=ch["manager"],
                responsible=ch["responsible"],
                status=status,
                verified=ch["verified"],
                serves=ch["serves"],
            )
        )

    # follows (W-07)
    follows = c.tables(org["follows"], "organisation.follows", FOLLOW, "a follow")
    seen_pairs: dict[tuple[str, str], int] = {}
    for i, follow in enumerate(follows):
        path = f"organisation.follows[{i}]"
        for end in ("follower", "followee"):
            if follow[end]:
                c.reference(follow[end], f"{path}.{end}", channel_keys, "channel", "channels")
        if follow["follower"] and follow["follower"] == follow["followee"]:
            c.error(f"{path}.followee", f"channel {follow['follower']!r} cannot follow itself")
        pair = (follow["follower"], follow["followee"])
        if pair in seen_pairs:
            c.error(
                path, f"duplicate follow {pair[0]} -> {pair[1]}: already at [{seen_pairs[pair]}]"
            )
        else:
            seen_pairs[pair] = i

    return Organisation(
        key=org["key"],
        name=org["name"],
        units=tuple(
            UnitSpec(key=u["key"], name=u["name"], type=u["type"], parent=u["parent"], req=u["req"])
            for u in units
        ),
        people=tuple(person_specs),
        channels=tuple(channel_specs),
        follows=tuple(
            FollowSpec(follower=f["follower"], followee=f["followee"], req=f["req"])
            for f in follows
        ),
    )


def _check_tree(c: _Checker, units: list[dict[str, Any]]) -> None:
    """Exactly one root (empty parent) and no parent cycles."""
    if not units:
        return
    roots = [i for i, u in enumerate(units) if not u["parent"]]
    if not roots:
        c.error(
            "organisation.units",
            "no root unit: exactly one unit must have an empty (or absent) parent",
        )
    for i in roots[1:]:
        c.error(
            f"organisation.units[{i}].parent",
            f"unit {units[i]['key']!r} has no parent, but {units[roots[0]]['key']!r} "
            f"(organisation.units[{roots[0]}]) is already the root; exactly one unit may have "
            "an empty parent",
        )
    index = {u["key"]: i for i, u in enumerate(units) if u["key"]}
    parent_of = {u["key"]: u["parent"] for u in units if u["key"]}
    reported: set[str] = set()
    for start in parent_of:
        chain: list[str] = []
        current = start
        while current in parent_of and current not in chain:
            chain.append(current)
            current = parent_of[current]
        if current in chain and current not in reported:
            cycle = chain[chain.index(current) :]
            if len(cycle) == 1:
                continue  # a unit that is its own parent is reported where parents are checked
            reported.update(cycle)
            first = min(cycle, key=lambda key: index[key])
            loop = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
            c.error(
                f"organisation.units[{index[first]}].parent",
                f"parent cycle {' -> '.join(loop)}: the units must form a tree under one root",
            )


def _reserved(c: _Checker, name: str, value: object) -> None:
    """Light checks of a reserved section: every array-of-tables entry cites a known req."""
    if isinstance(value, list):
        for i, entry in enumerate(value):
            _reserved_entry(c, entry, f"{name}[{i}]")
    elif isinstance(value, dict):
        if "req" in value:
            c.req(value["req"], f"{name}.req")
        for key, item in value.items():
            if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
                for i, entry in enumerate(item):
                    _reserved_entry(c, entry, f"{name}.{key}[{i}]")
    else:
        c.error(name, f"expected a table or an array of tables, got {_type_name(value)}")


def _reserved_entry(c: _Checker, entry: object, path: str) -> None:
    if not isinstance(entry, dict):
        c.error(path, f"expected a table, got {_type_name(entry)}")
    elif "req" not in entry:
        c.error(f"{path}.req", "missing required key 'req' (every rule must cite a requirement ID)")
    else:
        c.req(entry["req"], f"{path}.req")
