"""Applying a policy pack to an organisation: create or update, idempotently.

The loader only calls the owning rooms' actions (orgs, channels), so every unit,
person, grant, account and follow it creates is permission-checked and audited
exactly as if a person had done it by hand. Loading the same pack twice changes
nothing and writes no audit record.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from guanwei.channels import actions as channel_actions
from guanwei.channels.models import Channel, RequiredFollow
from guanwei.core.errors import InvalidChange
from guanwei.orgs import actions as org_actions
from guanwei.orgs.models import Membership, Organisation, PendingGrant, Unit, User
from guanwei.orgs.permissions import Actor, require
from guanwei.packs.schema import Organisation as OrgSpec
from guanwei.packs.schema import Pack


@dataclass
class NewLogin:
    username: str
    display_name: str
    password: str
    roles: list[str]  # "unit name·role name", as the person's page shows them


@dataclass
class LoadReport:
    organisation: Organisation
    pack_changed: bool = False
    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    logins: list[NewLogin] = field(default_factory=list)

    def count(self, bucket: str, what: str) -> None:
        target = self.created if bucket == "created" else self.changed
        target[what] = target.get(what, 0) + 1

    @property
    def nothing_changed(self) -> bool:
        return not (self.pack_changed or self.created or self.changed)


def pack_rules(pack: Pack) -> dict[str, Any]:
    """The JSON snapshot stored on PackApplication (see orgs.rules)."""
    rules = dataclasses.asdict(pack)
    rules.pop("path", None)
    rules.pop("organisation", None)
    return rules


def demo_password() -> str:
    return secrets.token_urlsafe(9)


def _apply_pack_record(org: Organisation, pack: Pack, actor: Actor | None) -> bool:
    """Put the pack's rules in force for ``org`` — through the orgs room, which owns the
    record (issue #8 §1: the loader writes no other room's tables)."""
    return org_actions.put_rules_in_force(
        org,
        actor=actor,
        pack_name=pack.name,
        version=pack.version,
        kind=pack.kind,
        sha256=pack.sha256,
        rules=pack_rules(pack),
    )


def _ordered_units(spec: OrgSpec) -> list[Any]:
    """Parents before children (the validator has ruled out cycles)."""
    by_key = {u.key: u for u in spec.units}
    done: set[str] = set()
    ordered: list[Any] = []

    def visit(key: str) -> None:
        if key in done:
            return
        unit = by_key[key]
        if unit.parent:
            visit(unit.parent)
        done.add(key)
        ordered.append(unit)

    for u in spec.units:
        visit(u.key)
    return ordered


def _sync_units(
    org: Organisation, spec: OrgSpec, actor: Actor | None, report: LoadReport
) -> dict[str, Unit]:
    units = {u.key: u for u in org.units.all()}
    for u in _ordered_units(spec):
        parent = units[u.parent] if u.parent else None
        existing = units.get(u.key)
        if existing is None:
            units[u.key] = org_actions.create_unit(
                org, actor=actor, key=u.key, name=u.name, unit_type=u.type, parent=parent
            )
            report.count("created", "units")
            continue
        if existing.name != u.name or existing.unit_type != u.type:
            org_actions.change_unit(existing, actor=actor, name=u.name, unit_type=u.type)
            report.count("changed", "units")
        if parent is not None and existing.parent_id != parent.pk:
            units[u.key] = org_actions.move_unit(existing, actor=actor, new_parent=parent)
            report.count("changed", "units")
    return units


def _belongs_elsewhere(user: User, org: Organisation) -> bool:
    """A demo person of one pack must not silently gain roles in another organisation."""
    memberships = Membership.objects.filter(user=user, revoked_at__isnull=True)
    return memberships.exists() and not memberships.filter(unit__organisation=org).exists()


def _sync_people(
    org: Organisation,
    spec: OrgSpec,
    units: dict[str, Unit],
    actor: Actor | None,
    report: LoadReport,
    *,
    demo_people: bool,
    role_names: dict[str, str],
) -> dict[str, User]:
    people: dict[str, User] = {}
    for p in spec.people:
        user = User.objects.filter(username=p.username).first()
        if user is not None and _belongs_elsewhere(user, org):
            raise InvalidChange(
                f"登录名“{p.username}”已被其他单位的人员使用，请在制度包中换一个登录名。"
            )
        if user is None:
            # Without demo people (``packs load`` without --demo-people) the person has no
            # usable password: nobody knows one that was never shown (issue #10 §1).
            password = demo_password() if demo_people else None
            user = org_actions.create_person(
                org,
                actor=actor,
                username=p.username,
                display_name=p.name,
                title=p.title,
                password=password,
                demo=demo_people,
                student=p.student,
            )
            report.count("created", "people")
            if password:
                roles = [
                    f"{units[m.unit].name}·{role_names.get(m.role, m.role)}" for m in p.memberships
                ]
                report.logins.append(NewLogin(p.username, p.name, password, roles))
        people[p.username] = user
        for m in p.memberships:
            unit = units[m.unit]
            if (
                not Membership.objects.filter(
                    user=user, unit=unit, role=m.role, revoked_at__isnull=True
                ).exists()
                and not PendingGrant.objects.filter(
                    user=user, unit=unit, role=m.role, status=PendingGrant.Status.PENDING
                ).exists()
            ):
                # Issue #9 §9: loaded by a person, a sensitive role waits for confirmation.
                granted = org_actions.grant_role(user, unit, m.role, actor=actor)
                pending = isinstance(granted, PendingGrant)
                report.count("created", "pending grants" if pending else "memberships")
    return people


def _wanted_scope(c: Any) -> tuple[bool, set[str], set[str]]:
    return "*" in c.open_to, {k for k in c.open_to if k != "*"}, set(c.publishers)


def _scope_of(channel: Channel) -> tuple[bool, set[str], set[str]]:
    return (
        channel.open_to_all,
        {u.key for u in channel.open_to.all()},
        {u.key for u in channel.publishers.all()},
    )


def _set_scope(channel: Channel, c: Any, units: dict[str, Unit], actor: Actor | None) -> None:
    """Issue 10 (C-09, T-01): who may address the account, who publishes on it."""
    everyone, open_to, publishers = _wanted_scope(c)
    channel_actions.set_account_scope(
        channel,
        actor=actor,
        open_to_all=everyone,
        open_to=[units[k] for k in sorted(open_to)],
        publishers=[units[k] for k in sorted(publishers)],
    )


def _sync_channels(
    org: Organisation,
    spec: OrgSpec,
    units: dict[str, Unit],
    people: dict[str, User],
    actor: Actor | None,
    report: LoadReport,
) -> None:
    channels = {c.key: c for c in Channel.objects.filter(organisation=org)}
    for c in spec.channels:
        wanted: dict[str, Any] = {
            "name": c.name,
            "account_id": c.account_id,
            "manager": people.get(c.manager) if c.manager else None,
            "responsible": people.get(c.responsible) if c.responsible else None,
            "status": c.status,
            "verified": c.verified,
            "mailbox": c.mailbox,
        }
        existing = channels.get(c.key)
        if existing is None:
            # the people last: they may come from a unit the pack names (C-03, publishers)
            people_of = {k: wanted.pop(k) for k in ("manager", "responsible")}
            channels[c.key] = channel_actions.create_channel(
                units[c.unit], actor=actor, key=c.key, kind=c.kind, **wanted
            )
            report.count("created", "channels")
            if c.serves:
                channel_actions.set_served_units(
                    channels[c.key], actor=actor, units=[units[k] for k in c.serves]
                )
            if c.open_to or c.publishers:
                _set_scope(channels[c.key], c, units, actor)
            if any(people_of.values()):
                channel_actions.change_channel(
                    channels[c.key],
                    actor=actor,
                    **{k: v for k, v in people_of.items() if v is not None},
                )
            continue
        if _scope_of(existing) != _wanted_scope(c):
            _set_scope(existing, c, units, actor)
            report.count("changed", "channels")
        served = {u.key for u in existing.serves.all()}
        if served != set(c.serves):
            channel_actions.set_served_units(
                existing, actor=actor, units=[units[k] for k in c.serves]
            )
            report.count("changed", "channels")
        diff = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
        if diff:
            channel_actions.change_channel(existing, actor=actor, **diff)
            report.count("changed", "channels")
    for f in spec.follows:
        follower, followee = channels[f.follower], channels[f.followee]
        if not RequiredFollow.objects.filter(follower=follower, followee=followee).exists():
            req = ",".join(f.req)
            channel_actions.add_required_follow(follower, followee, actor=actor, req=req)
            report.count("created", "follows")


@transaction.atomic
def load_pack(
    pack: Pack,
    *,
    actor: Actor | None,
    organisation: Organisation | None = None,
    demo_people: bool = True,
) -> LoadReport:
    """Create or update an organisation from ``pack`` (base), or put an overlay
    pack in force for ``organisation``. Idempotent. ``demo_people``: the pack's people
    get generated passwords, returned in ``report.logins`` (the demo); otherwise they are
    created without a usable password. Never demo people under the production profile
    (their passwords would be printed and kept in var/demo-logins.txt)."""
    from django.conf import settings

    if demo_people and settings.GUANWEI_PRODUCTION:
        raise InvalidChange(
            "生产环境（GUANWEI_ENV=production）不创建演示账号：制度包中的人员不设密码，"
            "由系统管理员为其设置。"
        )
    spec = pack.organisation
    if pack.kind == "overlay":
        if organisation is None:
            raise InvalidChange(f"“{pack.name}”是附加制度包，请指定要应用的单位。")
        org = organisation
    elif organisation is not None:
        org = organisation
    elif spec is not None:
        found = Organisation.objects.filter(key=spec.key).first()
        org = found or org_actions.create_organisation(
            actor=actor, key=spec.key, name=spec.name, base_pack=pack.name
        )
    else:
        raise InvalidChange(f"制度包“{pack.name}”没有定义单位，请指定要应用的单位。")
    if Organisation.objects.filter(pk=org.pk).exists() and org.units.exists():
        require(actor, "pack.load", org)
    report = LoadReport(organisation=org)
    report.pack_changed = _apply_pack_record(org, pack, actor)
    if spec is not None and pack.kind == "base" and org.key == spec.key:
        units = _sync_units(org, spec, actor, report)
        role_names = {r.key: r.name for r in pack.roles}
        people = _sync_people(
            org, spec, units, actor, report, demo_people=demo_people, role_names=role_names
        )
        _sync_channels(org, spec, units, people, actor, report)
    from guanwei.packs.events import pack_loaded

    pack_loaded.send(sender=Pack, organisation=org, pack=pack, actor=actor)
    return report
