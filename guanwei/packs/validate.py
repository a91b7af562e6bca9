"""Check a parsed pack (the dict ``tomllib`` returns) and build the frozen :class:`Pack`.

Every problem becomes a :class:`PackError` with a key path (``roles[3].permissions[1]``,
``organisation.units[5].parent``) and an English message saying what is wrong and what is
allowed. The checker never stops at the first problem: a pack author sees them all at once.
Pure Python, no Django import.

This module checks the file as a whole (``[pack]``, the known top-level sections, the
reserved sections of later issues) and calls one module per concern for the sections:
:mod:`.validate_vocabulary` (principles, roles and duties, categories, columns, channel
kinds), :mod:`.validate_organisation` (units, people, accounts, follows) and
:mod:`.validate_chains` (approval chains). The checker they share is :mod:`.checker`.
"""

from __future__ import annotations

import re
from typing import Any

from guanwei.packs.checker import (
    DEFAULTS,
    REQ,
    STR,
    STRS,
    TABLE,
    TABLES,
    Checker,
    Field,
    spec,
    type_name,
)
from guanwei.packs.schema import (
    KINDS,
    PACK_NAME_RE,
    RESERVED_SECTIONS,
    Organisation,
    Pack,
    PackError,
    Security,
)
from guanwei.packs.validate_chains import chains_section
from guanwei.packs.validate_organisation import organisation_section
from guanwei.packs.validate_vocabulary import (
    categories_section,
    channel_kinds_section,
    columns_section,
    principles_section,
    roles_section,
    unit_types_section,
)

VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")

PACK = spec(
    ("name", "version", "title", "kind"),
    name=STR,
    version=STR,
    title=STR,
    kind=STR,
    summary=STR,
    source=STR,
)
TOP_LEVEL = spec(
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
    security=TABLE,
)
SECURITY = spec((), req=REQ, sensitive_roles=STRS)

# ------------------------------------------------------------------- sections


def build_pack(
    data: dict[str, Any], *, file: str, stem: str, sha256: str
) -> tuple[Pack | None, list[PackError]]:
    """Validate ``data`` (a parsed pack file); return the pack (or None) and all errors."""
    c = Checker(file)
    allowed_top = dict(TOP_LEVEL)
    allowed_top.update({name: Field(TABLE) for name in RESERVED_SECTIONS})
    for key in data:
        if key not in allowed_top:
            c.unknown_key("", key, allowed_top, "the pack file (top level)")

    if "pack" not in data:
        head: dict[str, Any] = {key: DEFAULTS[f.kind] for key, f in PACK.items()}
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

    principles = principles_section(c, section("principles"))
    roles = roles_section(c, section("roles"))
    role_keys = [r.key for r in roles]
    unit_types = unit_types_section(c, section("unit_types"), role_keys)
    categories = categories_section(c, section("categories"))
    channel_kinds = channel_kinds_section(c, section("channel_kinds"))

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
            organisation = organisation_section(
                c, raw_org, role_keys, [t.key for t in unit_types], [k.key for k in channel_kinds]
            )
    unit_keys = [u.key for u in organisation.units] if organisation else []
    columns = columns_section(
        c, section("columns"), [k.key for k in categories], unit_keys, role_keys
    )
    chains = chains_section(
        c,
        section("chains"),
        role_keys=role_keys,
        unit_keys=unit_keys,
        category_keys=[k.key for k in categories],
        column_keys=[k.key for k in columns],
        channel_keys=[ch.key for ch in organisation.channels] if organisation else [],
        usernames=[p.username for p in organisation.people] if organisation else [],
        subtype_keys=[s.key for k in categories for s in k.subtypes],
    )

    security = Security()
    if "security" in data:
        sec = c.table(data["security"], "security", SECURITY, "[security]")
        for i, key in enumerate(sec["sensitive_roles"]):
            c.reference(key, f"security.sensitive_roles[{i}]", role_keys, "role", "roles")
        security = Security(req=sec["req"], sensitive_roles=sec["sensitive_roles"])

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
        security=security,
        extras=extras,
        path=file,
        sha256=sha256,
    )
    return pack, []


def _reserved(c: Checker, name: str, value: object) -> None:
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
        c.error(name, f"expected a table or an array of tables, got {type_name(value)}")


def _reserved_entry(c: Checker, entry: object, path: str) -> None:
    if not isinstance(entry, dict):
        c.error(path, f"expected a table, got {type_name(entry)}")
    elif "req" not in entry:
        c.error(f"{path}.req", "missing required key 'req' (every rule must cite a requirement ID)")
    else:
        c.req(entry["req"], f"{path}.req")
