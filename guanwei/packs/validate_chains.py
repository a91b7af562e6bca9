"""Validation of the ``[[chains]]`` section (approval chains as data: W-14, W-15, C-07,
C-09, T-04, R-04). Uses the checker of :mod:`.checker`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanwei.core.catalog import PERMISSIONS
from guanwei.packs.checker import BOOL, INT, REQ, STR, STRS, TABLE, TABLES, Checker, spec
from guanwei.packs.schema import (
    CHAIN_SUBJECTS,
    DELEGATION_MAX_DAYS,
    FORMS,
    STEP_MODES,
    UNIT_SELECTORS,
    Chain,
    ChainCondition,
    ChainDelegation,
    ChainStep,
)

CHAIN = spec(
    ("key", "name", "applies_to", "req"),
    key=STR,
    name=STR,
    applies_to=STR,
    req=REQ,
    steps=TABLES,
    when=TABLE,
    when_any=TABLES,
    priority=INT,
    file_on_approval=BOOL,
    form=STR,
    permission=STR,
    delegation=TABLE,
    description=STR,
    label=STR,
    form_title=STR,
    form_note=STR,
)
CHAIN_WHEN = spec(
    (),
    categories=STRS,
    subtypes=STRS,
    columns=STRS,
    channels=STRS,
    screening=STRS,
    sensitive=BOOL,
    emergency=BOOL,
    correction=BOOL,
)
CHAIN_STEP = spec(
    ("key", "name"),
    key=STR,
    name=STR,
    roles=STRS,
    unit=STR,
    user=STR,
    mode=STR,
    description=STR,
    allow_previous_decider=BOOL,
    sign=STR,
)
CHAIN_DELEGATION = spec(
    ("step", "to_role", "consent_role"),
    step=STR,
    to_role=STR,
    consent_role=STR,
    for_role=STR,
    max_days=INT,
)


@dataclass(frozen=True)
class _Refs:
    categories: list[str]
    subtypes: list[str] | None
    columns: list[str]
    channels: list[str]


def _condition(c: Checker, w: dict[str, Any], path: str, refs: _Refs) -> ChainCondition:
    """One chain condition; every key it names must exist in the pack."""
    for j, key in enumerate(w["categories"]):
        c.reference(key, f"{path}.categories[{j}]", refs.categories, "category", "categories")
    if refs.subtypes is not None:
        for j, key in enumerate(w["subtypes"]):
            c.reference(
                key, f"{path}.subtypes[{j}]", refs.subtypes, "sub-type", "categories.subtypes"
            )
    for j, key in enumerate(w["columns"]):
        c.reference(key, f"{path}.columns[{j}]", refs.columns, "column", "columns")
    for j, key in enumerate(w["channels"]):
        c.reference(key, f"{path}.channels[{j}]", refs.channels, "channel", "organisation.channels")
    for j, key in enumerate(w["screening"]):
        c.key(key, f"{path}.screening[{j}]", "screening category")
    return ChainCondition(
        categories=w["categories"],
        subtypes=w["subtypes"],
        columns=w["columns"],
        channels=w["channels"],
        screening=w["screening"],
        sensitive=w["sensitive"],
        emergency=w["emergency"],
        correction=w["correction"],
    )


def chains_section(
    c: Checker,
    raw: list[Any],
    *,
    role_keys: list[str],
    unit_keys: list[str],
    category_keys: list[str],
    column_keys: list[str],
    channel_keys: list[str],
    usernames: list[str],
    subtype_keys: list[str] | None = None,
) -> tuple[Chain, ...]:
    """Approval chains as data (W-14, W-15, C-07, C-09, T-04, R-04): ordered steps, each
    naming who may decide; conditions choose the chain for a post."""
    items = c.tables(raw, "chains", CHAIN, "an approval chain")
    c.unique(items, "key", "chains", "chain key")
    refs = _Refs(category_keys, subtype_keys, column_keys, channel_keys)
    chains: list[Chain] = []
    for i, item in enumerate(items):
        path = f"chains[{i}]"
        c.key(item["key"], f"{path}.key", "chain key")
        if item["applies_to"]:
            c.choice(item["applies_to"], f"{path}.applies_to", CHAIN_SUBJECTS, "chain subject")
        if item["form"]:
            c.choice(item["form"], f"{path}.form", FORMS, "form")
        if item["permission"]:
            c.reference(
                item["permission"],
                f"{path}.permission",
                PERMISSIONS,
                "permission",
                "catalog.PERMISSIONS",
            )
        flags = [
            w
            for w in [item["when"], *(item["when_any"] or [])]
            if isinstance(w, dict) and (w.get("emergency") or w.get("sensitive"))
        ]
        if item["label"] and not flags:
            c.error(
                f"{path}.label",
                "a label names the box an author ticks: only for a chain with "
                "when.emergency or when.sensitive (or such an alternative in when_any)",
            )
        when = ChainCondition()
        if item["when"] is not None:
            w = c.table(item["when"], f"{path}.when", CHAIN_WHEN, "a chain condition")
            when = _condition(c, w, f"{path}.when", refs)
        when_any = tuple(
            _condition(c, w, f"{path}.when_any[{j}]", refs)
            for j, w in enumerate(
                c.tables(item["when_any"], f"{path}.when_any", CHAIN_WHEN, "a chain condition")
            )
        )
        steps_raw = c.tables(item["steps"], f"{path}.steps", CHAIN_STEP, "a chain step")
        c.unique(steps_raw, "key", f"{path}.steps", "step key")
        if (
            item["applies_to"] in ("post", "material")
            and "steps" in (raw[i] or {})
            and not steps_raw
        ):
            c.error(
                f"{path}.steps",
                "a review chain needs at least one step (T-04: nothing is published unreviewed)",
            )
        steps: list[ChainStep] = []
        for j, st in enumerate(steps_raw):
            sp = f"{path}.steps[{j}]"
            c.key(st["key"], f"{sp}.key", "step key")
            if not st["roles"] and not st["user"]:
                c.error(sp, 'a step names who decides: roles = [...] or user = "username"')
            for k, role in enumerate(st["roles"]):
                c.reference(role, f"{sp}.roles[{k}]", role_keys, "role", "roles")
            unit = st["unit"] or "post_unit"
            if unit not in UNIT_SELECTORS and unit not in unit_keys:
                c.reference(
                    unit,
                    f"{sp}.unit",
                    [*UNIT_SELECTORS, *unit_keys],
                    "unit",
                    "selectors and units of [organisation]",
                )
            if st["user"]:
                c.reference(st["user"], f"{sp}.user", usernames, "user", "organisation.people")
            mode = st["mode"] or "any"
            c.choice(mode, f"{sp}.mode", STEP_MODES, "step mode")
            steps.append(
                ChainStep(
                    key=st["key"],
                    name=st["name"],
                    roles=st["roles"],
                    unit=unit,
                    user=st["user"],
                    mode=mode,
                    description=st["description"],
                    allow_previous_decider=st["allow_previous_decider"],
                    sign=st["sign"],
                )
            )
        delegation = None
        if item["delegation"] is not None:
            d = c.table(
                item["delegation"], f"{path}.delegation", CHAIN_DELEGATION, "a delegation rule"
            )
            c.reference(
                d["step"],
                f"{path}.delegation.step",
                [s.key for s in steps],
                "step",
                "steps of this chain",
            )
            for key in ("to_role", "consent_role"):
                c.reference(d[key], f"{path}.delegation.{key}", role_keys, "role", "roles")
            step_roles = next((s.roles for s in steps if s.key == d["step"]), ())
            if d["for_role"]:
                c.reference(
                    d["for_role"],
                    f"{path}.delegation.for_role",
                    step_roles,
                    "role",
                    "the step's roles",
                )
            if d["consent_role"] and d["consent_role"] == d["for_role"]:
                c.error(
                    f"{path}.delegation.for_role",
                    "the person who is away cannot consent to his own delegation",
                )
            if d["to_role"] and d["to_role"] == d["consent_role"]:
                c.error(
                    f"{path}.delegation.consent_role",
                    "the deputy cannot consent to his own delegation",
                )
            max_days = d["max_days"] if "max_days" in (item["delegation"] or {}) else None
            if max_days is not None and not 1 <= max_days <= 366:
                c.error(f"{path}.delegation.max_days", "must be between 1 and 366 days")
            delegation = ChainDelegation(
                d["step"],
                d["to_role"],
                d["consent_role"],
                for_role=d["for_role"],
                max_days=max_days or DELEGATION_MAX_DAYS,
            )
        chains.append(
            Chain(
                key=item["key"],
                name=item["name"],
                applies_to=item["applies_to"],
                req=item["req"],
                steps=tuple(steps),
                when=when,
                when_any=when_any,
                priority=item["priority"],
                file_on_approval=item["file_on_approval"],
                form=item["form"],
                permission=item["permission"],
                delegation=delegation,
                description=item["description"],
                label=item["label"],
                form_title=item["form_title"],
                form_note=item["form_note"],
            )
        )
    return tuple(chains)
