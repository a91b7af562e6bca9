"""Validation of the ``[organisation]`` section of a base pack: its units as one tree
(X-01), its people and their memberships, its official accounts (C-01, W-05) and the
required follows between them (W-07). Pure Python, no Django import."""

from __future__ import annotations

import re
from typing import Any

from guanwei.core.catalog import CHANNEL_STATUSES
from guanwei.packs.checker import BOOL, REQ, STR, STRS, TABLES, Checker, spec
from guanwei.packs.schema import (
    ChannelSpec,
    FollowSpec,
    MembershipSpec,
    Organisation,
    PersonSpec,
    UnitSpec,
)

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,149}$")

ORGANISATION = spec(
    ("key", "name", "units"),
    key=STR,
    name=STR,
    units=TABLES,
    people=TABLES,
    channels=TABLES,
    follows=TABLES,
)
UNIT = spec(("key", "name", "type", "req"), key=STR, name=STR, type=STR, parent=STR, req=REQ)
PERSON = spec(
    ("username", "name"), username=STR, name=STR, title=STR, memberships=TABLES, student=BOOL
)
MEMBERSHIP = spec(("unit", "role"), unit=STR, role=STR)
CHANNEL = spec(
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
    mailbox=STR,
    serves=STRS,
    open_to=STRS,
    publishers=STRS,
)
FOLLOW = spec(("follower", "followee", "req"), follower=STR, followee=STR, req=REQ)


def organisation_section(
    c: Checker,
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
                student=bool(person.get("student")),
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
        for field in ("open_to", "publishers"):
            for j, key in enumerate(ch[field]):
                if not (field == "open_to" and key == "*"):
                    c.reference(key, f"{path}.{field}[{j}]", unit_keys, "unit", "units")
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
                mailbox=ch["mailbox"],
                serves=ch["serves"],
                open_to=ch["open_to"],
                publishers=ch["publishers"],
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


def _check_tree(c: Checker, units: list[dict[str, Any]]) -> None:
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
