"""Validation of the rule book's vocabulary sections: ``[[principles]]``, ``[[roles]]``,
``[[unit_types]]`` with their duties, ``[[categories]]`` with sub-types, ``[[columns]]``
(hashtags) and ``[[channel_kinds]]``. Pure Python, no Django import."""

from __future__ import annotations

import re
from typing import Any

from guanwei.core.catalog import PLATFORMS
from guanwei.packs.checker import BOOL, REQ, STR, STRS, TABLES, Checker, spec
from guanwei.packs.schema import (
    Category,
    ChannelKind,
    Column,
    Duty,
    Principle,
    Role,
    SubType,
    UnitType,
)

HASHTAG_RE = re.compile(r"^#[^#\s]{1,32}#$")

PRINCIPLE = spec(("text", "req"), text=STR, req=REQ, description=STR)
ROLE = spec(
    ("key", "name", "req"),
    key=STR,
    name=STR,
    req=REQ,
    description=STR,
    permissions=STRS,
    scope=STR,
)
UNIT_TYPE = spec(("key", "name", "req"), key=STR, name=STR, req=REQ, description=STR, duties=TABLES)
DUTY = spec(
    ("key", "name", "req"),
    key=STR,
    name=STR,
    req=REQ,
    description=STR,
    roles=STRS,
    permissions=STRS,
    scope=STR,
)
CATEGORY = spec(("key", "name", "req"), key=STR, name=STR, req=REQ, subtypes=TABLES)
SUBTYPE = spec(("key", "name"), key=STR, name=STR)
COLUMN = spec(
    ("key", "name", "hashtag", "req"),
    key=STR,
    name=STR,
    hashtag=STR,
    req=REQ,
    category=STR,
    owner_unit=STR,
    owner_only=BOOL,
    owner_review=STRS,
    description=STR,
)
CHANNEL_KIND = spec(
    ("key", "name", "platform", "req"), key=STR, name=STR, platform=STR, req=REQ, description=STR
)


def principles_section(c: Checker, raw: list[Any]) -> tuple[Principle, ...]:
    items = c.tables(raw, "principles", PRINCIPLE, "a principle")
    c.unique(items, "text", "principles", "principle text")
    return tuple(
        Principle(text=i["text"], req=i["req"], description=i["description"]) for i in items
    )


def roles_section(c: Checker, raw: list[Any]) -> tuple[Role, ...]:
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


def unit_types_section(c: Checker, raw: list[Any], role_keys: list[str]) -> tuple[UnitType, ...]:
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


def categories_section(c: Checker, raw: list[Any]) -> tuple[Category, ...]:
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


def columns_section(
    c: Checker,
    raw: list[Any],
    category_keys: list[str],
    unit_keys: list[str],
    role_keys: list[str] | None = None,
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
                owner_only=item["owner_only"],
                owner_review=item["owner_review"],
                description=item["description"],
            )
        )
        if item["owner_only"] and not item["owner_unit"]:
            c.error(f"{path}.owner_only", "owner_only needs the column's owner_unit")
        if item["owner_review"] and not item["owner_only"]:
            c.error(f"{path}.owner_review", "owner_review needs owner_only = true")
        for j, role in enumerate(item["owner_review"]):
            if role_keys is not None:
                c.reference(role, f"{path}.owner_review[{j}]", role_keys, "role", "roles")
    return tuple(columns)


def channel_kinds_section(c: Checker, raw: list[Any]) -> tuple[ChannelKind, ...]:
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
