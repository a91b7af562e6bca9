"""The policy-pack format: frozen dataclasses for a parsed pack and the public load API.

A pack is one TOML file in ``packs/`` that turns one organisation's rule book into data
(REQUIREMENTS.md: "the engine is one, the rule books are many"). This module is pure Python
(stdlib ``tomllib`` + ``dataclasses``, no Django) so packs can be checked without a database;
the checks themselves live in :mod:`guanwei.packs.validate`. ``docs/packs.md`` documents
every key.

Public API::

    PACKS_DIR                      # repo-root/packs, or $GUANWEI_PACKS_DIR
    load_pack_file(path) -> Pack   # parse + validate, raises PackValidationError
    validate_files(paths) -> list[PackError]
    available_packs(directory=None) -> dict[str, Path]
    load_pack(name) -> Pack
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_ENV_PACKS_DIR = os.environ.get("GUANWEI_PACKS_DIR")
PACKS_DIR: Path = (
    Path(_ENV_PACKS_DIR) if _ENV_PACKS_DIR else Path(__file__).resolve().parents[2] / "packs"
)

PACK_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")

# Top-level sections kept raw in ``Pack.extras`` for later issues (review chains, scheduling,
# screening, interaction, inspection). Only their ``req`` citations are checked here.
RESERVED_SECTIONS: tuple[str, ...] = (
    "slots",
    "quotas",
    "deadlines",
    "screening",
    "replies",
    "activities",
    "inspection",
    "assessment",
    "syndication",
    "uploads",  # issue #9 §2: [[uploads]] video = true lets the library take MP4
    "moderation",  # W-18: [[moderation]] rules (conditions → actions), interaction.rules
    "role_changes",  # T-03: [[role_changes]] roles = [...], tell_duty = "..." (who is told)
    "experts",  # W-19, W-20: [[experts]] who answers which questions (interaction.experts)
    "answering",  # W-19, W-20: [[answering]] reply deadline, approval, routing text
    "vault",  # W-16, T-08, R-05, C-11: [vault] rotation policy and escrow approvers
)

KINDS: tuple[str, ...] = ("base", "overlay")

# R-04, issue #9 §8: the longest a delegation may last when its chain does not say.
DELEGATION_MAX_DAYS = 30


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class PackError:
    """One problem in one pack file, located by a key path like ``roles[3].permissions[1]``."""

    file: str
    key_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key_path}: {self.message}"


class PackValidationError(Exception):
    """A pack (or a pack name) was refused; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[PackError]) -> None:
        self.errors: list[PackError] = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Principle:
    text: str
    req: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    req: tuple[str, ...]
    description: str = ""
    permissions: tuple[str, ...] = ()
    scope: str = "unit"


@dataclass(frozen=True)
class Duty:
    """What a unit of one type is charged with; the listed roles held in it carry the duty."""

    key: str
    name: str
    req: tuple[str, ...]
    description: str = ""
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    scope: str = "unit"


@dataclass(frozen=True)
class UnitType:
    key: str
    name: str
    req: tuple[str, ...]
    description: str = ""
    duties: tuple[Duty, ...] = ()

    def duty(self, key: str) -> Duty:
        for duty in self.duties:
            if duty.key == key:
                return duty
        raise KeyError(key)


@dataclass(frozen=True)
class SubType:
    key: str
    name: str


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    req: tuple[str, ...]
    subtypes: tuple[SubType, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    hashtag: str
    req: tuple[str, ...]
    category: str = ""
    owner_unit: str = ""
    # only the owning unit (and the units under it) drafts posts in this column, or
    # supplies the drop-box material a post in it is made from.
    owner_only: bool = False
    # R-02 "drafted by, or approved by": the roles of the owning unit that approve a post in
    # this column drafted by another department (a first step added to its chain); empty =
    # only the owner drafts.
    owner_review: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ChannelKind:
    key: str
    name: str
    platform: str
    req: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    type: str
    parent: str
    req: tuple[str, ...]


@dataclass(frozen=True)
class MembershipSpec:
    unit: str
    role: str


@dataclass(frozen=True)
class PersonSpec:
    username: str
    name: str
    title: str = ""
    memberships: tuple[MembershipSpec, ...] = ()
    student: bool = False  # C-08: never a manager, responsible person or custodian


@dataclass(frozen=True)
class ChannelSpec:
    key: str
    name: str
    kind: str
    unit: str
    req: tuple[str, ...]
    account_id: str = ""
    manager: str = ""
    responsible: str = ""
    status: str = "active"
    verified: bool = False
    mailbox: str = ""  # the mailbox the account is registered with
    serves: tuple[str, ...] = ()  # units without an account of their own it publishes for (W-05)
    # issue 10 (C-09, T-01): other units whose posts may address it ("*": every unit)
    open_to: tuple[str, ...] = ()
    # units besides its own whose publishers publish on it, whose people may run it (C-03)
    publishers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowSpec:
    follower: str
    followee: str
    req: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    units: tuple[UnitSpec, ...] = ()
    people: tuple[PersonSpec, ...] = ()
    channels: tuple[ChannelSpec, ...] = ()
    follows: tuple[FollowSpec, ...] = ()

    @property
    def root(self) -> UnitSpec:
        """The single unit without a parent (validation guarantees exactly one)."""
        return next(unit for unit in self.units if not unit.parent)

    def unit(self, key: str) -> UnitSpec:
        for unit in self.units:
            if unit.key == key:
                return unit
        raise KeyError(key)

    def person(self, username: str) -> PersonSpec:
        for person in self.people:
            if person.username == username:
                return person
        raise KeyError(username)

    def channel(self, key: str) -> ChannelSpec:
        for channel in self.channels:
            if channel.key == key:
                return channel
        raise KeyError(key)

    def units_top_down(self) -> tuple[UnitSpec, ...]:
        """Units ordered so that every parent comes before its children (for creating rows)."""
        ordered: list[UnitSpec] = []
        placed: set[str] = set()
        pending = list(self.units)
        while pending:
            ready = [u for u in pending if not u.parent or u.parent in placed]
            if not ready:  # a cycle; validation refuses these, so this is defensive
                break
            for unit in ready:
                ordered.append(unit)
                placed.add(unit.key)
            pending = [u for u in pending if u.key not in placed]
        return tuple(ordered)


# --------------------------------------------------------------------------- approval chains

# Where a step's deciders sit: a unit key of [organisation], or one of these selectors.
UNIT_SELECTORS: dict[str, str] = {
    "post_unit": "the unit that owns the post (the publishing unit)",
    "provider_unit": "the unit that provided the material (the post unit for self-written posts)",
    "parent_unit": "the parent of the post unit",
    "root_unit": "the top unit of the organisation",
}
CHAIN_SUBJECTS: tuple[str, ...] = ("post", "material", "channel", "activity", "credential")
STEP_MODES: tuple[str, ...] = ("any", "all")
FORMS: tuple[str, ...] = ("content_approval", "authorisation", "application")


@dataclass(frozen=True)
class ChainCondition:
    """When a chain applies; every given condition must hold (empty = always)."""

    categories: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()  # sub-types of the categories (突发事件 …)
    columns: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    screening: tuple[str, ...] = ()  # lexicon categories whose hit in the text chooses it (C-07)
    sensitive: bool = False  # only for posts flagged "sensitive / major event" (C-07)
    emergency: bool = False  # only for the special-weather fast path (W-12)
    correction: bool = False  # only for posts that correct a published one (W-11)


@dataclass(frozen=True)
class ChainStep:
    """One step: who may decide (holders of ``roles`` in ``unit``, or the named ``user``),
    and whether any one of them or all of them must approve."""

    key: str
    name: str
    roles: tuple[str, ...] = ()
    unit: str = "post_unit"
    user: str = ""
    mode: str = "any"
    description: str = ""
    # Distinct deciders (issue 10 §3): nobody decides two steps of one run, unless the pack
    # says this step may be decided by someone who decided an earlier one.
    allow_previous_decider: bool = False
    sign: str = ""  # the printed form's caption beside the signature ("负责人（签字盖章）：")


@dataclass(frozen=True)
class ChainDelegation:
    """A deputy may decide ``step`` when the usual decider is away, only with the recorded
    consent of a holder of ``consent_role`` (R-04); ``for_role``, when given, names whose
    absence it covers (the group leader); it lasts at most ``max_days`` days."""

    step: str
    to_role: str
    consent_role: str
    for_role: str = ""
    max_days: int = DELEGATION_MAX_DAYS


@dataclass(frozen=True)
class Chain:
    key: str
    name: str
    applies_to: str
    req: tuple[str, ...]
    steps: tuple[ChainStep, ...] = ()
    when: ChainCondition = field(default_factory=ChainCondition)
    # C-07: alternatives, any one of which (with ``when``) chooses the chain: the author's
    # flag, the category, the screening result. Empty = ``when`` alone decides.
    when_any: tuple[ChainCondition, ...] = ()
    priority: int = 0
    file_on_approval: bool = False
    form: str = ""
    permission: str = ""
    delegation: ChainDelegation | None = None
    description: str = ""
    # issue #10 §2, each organisation in its own words:
    label: str = ""  # the box an author ticks to ask for this chain (when.emergency/sensitive)
    form_title: str = ""  # the printed form's title (form = ...); the chain's name if empty
    form_note: str = ""  # the note printed under the form (此表一式两份 …)


@dataclass(frozen=True)
class Security:
    """``[security]``: the roles whose grant needs a second person's confirmation (issue #9
    §9, MLPS 三员分立)."""

    req: tuple[str, ...] = ()
    sensitive_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    title: str
    kind: str
    summary: str = ""
    source: str = ""
    principles: tuple[Principle, ...] = ()
    roles: tuple[Role, ...] = ()
    unit_types: tuple[UnitType, ...] = ()
    categories: tuple[Category, ...] = ()
    columns: tuple[Column, ...] = ()
    channel_kinds: tuple[ChannelKind, ...] = ()
    organisation: Organisation | None = None
    chains: tuple[Chain, ...] = ()
    security: Security = field(default_factory=Security)
    extras: dict[str, object] = field(default_factory=dict, hash=False)
    path: str = ""
    sha256: str = ""

    @property
    def is_overlay(self) -> bool:
        return self.kind == "overlay"

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(key)

    def unit_type(self, key: str) -> UnitType:
        for unit_type in self.unit_types:
            if unit_type.key == key:
                return unit_type
        raise KeyError(key)

    def category(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(key)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def channel_kind(self, key: str) -> ChannelKind:
        for kind in self.channel_kinds:
            if kind.key == key:
                return kind
        raise KeyError(key)

    def permissions_for(self, role_key: str, unit_type_key: str) -> frozenset[str]:
        """What a holder of ``role_key`` in a unit of ``unit_type_key`` may do: the role's own
        permissions plus those of every duty of the unit type that names the role."""
        granted = set(self.role(role_key).permissions)
        for duty in self.unit_type(unit_type_key).duties:
            if role_key in duty.roles:
                granted.update(duty.permissions)
        return frozenset(granted)

    def rules(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every rule entry of the typed sections as ``(key path, req)``."""
        for i, principle in enumerate(self.principles):
            yield f"principles[{i}]", principle.req
        for i, role in enumerate(self.roles):
            yield f"roles[{i}]", role.req
        for i, unit_type in enumerate(self.unit_types):
            yield f"unit_types[{i}]", unit_type.req
            for j, duty in enumerate(unit_type.duties):
                yield f"unit_types[{i}].duties[{j}]", duty.req
        for i, category in enumerate(self.categories):
            yield f"categories[{i}]", category.req
        for i, column in enumerate(self.columns):
            yield f"columns[{i}]", column.req
        for i, kind in enumerate(self.channel_kinds):
            yield f"channel_kinds[{i}]", kind.req
        for i, chain in enumerate(self.chains):
            yield f"chains[{i}]", chain.req
        if self.organisation is not None:
            org = self.organisation
            for i, unit in enumerate(org.units):
                yield f"organisation.units[{i}]", unit.req
            for i, channel in enumerate(org.channels):
                yield f"organisation.channels[{i}]", channel.req
            for i, follow in enumerate(org.follows):
                yield f"organisation.follows[{i}]", follow.req

    def requirement_ids(self) -> frozenset[str]:
        """Every requirement ID the pack cites, including those in reserved sections."""
        cited: set[str] = set()
        for _path, req in self.rules():
            cited.update(req)
        cited.update(_reserved_req_ids(self.extras))
        return frozenset(cited)


def _reserved_req_ids(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "req":
                if isinstance(item, str):
                    yield item
                elif isinstance(item, list):
                    yield from (x for x in item if isinstance(x, str))
            else:
                yield from _reserved_req_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _reserved_req_ids(item)


# --------------------------------------------------------------------------- public API


def packs_dir() -> Path:
    """The directory packs are loaded from: ``$GUANWEI_PACKS_DIR`` if set, else ``PACKS_DIR``."""
    override = os.environ.get("GUANWEI_PACKS_DIR")
    return Path(override) if override else PACKS_DIR


def load_pack_file(path: str | Path) -> Pack:
    """Parse and validate one pack file; raise :class:`PackValidationError` listing all errors."""
    pack, errors = _load(Path(path))
    if errors or pack is None:
        raise PackValidationError(errors)
    return pack


def validate_files(paths: Iterable[str | Path]) -> list[PackError]:
    """All errors of all the given files, in file order; never raises for a bad pack."""
    errors: list[PackError] = []
    for path in paths:
        errors.extend(_load(Path(path))[1])
    return errors


def available_packs(directory: Path | None = None) -> dict[str, Path]:
    """``name -> path`` of every ``*.toml`` in the packs directory, sorted by name."""
    where = Path(directory) if directory is not None else packs_dir()
    if not where.is_dir():
        return {}
    found = {path.stem: path for path in where.glob("*.toml") if path.is_file()}
    return dict(sorted(found.items()))


def load_pack(name: str) -> Pack:
    """Load the pack called ``name`` from the packs directory."""
    where = packs_dir()
    packs = available_packs(where)
    if name not in packs:
        known = ", ".join(packs) or "none"
        raise PackValidationError(
            [
                PackError(
                    file=name,
                    key_path="<pack>",
                    message=f"no pack named {name!r} in {where}; available packs: {known}",
                )
            ]
        )
    return load_pack_file(packs[name])


def _load(path: Path) -> tuple[Pack | None, list[PackError]]:
    from guanwei.packs.validate import build_pack

    file = str(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        return None, [PackError(file, "<file>", f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [PackError(file, "<file>", f"the file is not valid UTF-8: {exc.reason}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [PackError(file, "<toml>", f"TOML syntax error: {exc}")]
    return build_pack(
        data,
        file=file,
        stem=path.stem,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )
