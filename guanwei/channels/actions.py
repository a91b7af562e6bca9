"""State changes of official accounts and required follows (REQ C-01, C-08, W-04, W-07)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel, ChannelStatus, Platform, RequiredFollow
from guanwei.orgs.errors import InvalidChange
from guanwei.orgs.models import Membership, Unit, User
from guanwei.orgs.permissions import SYSTEM, Actor, require
from guanwei.orgs.rules import rules_for

CHANGEABLE = (
    "name",
    "account_id",
    "purpose",
    "manager",
    "responsible",
    "status",
    "verified",
    "mailbox",
)


def channel_snapshot(channel: Channel) -> dict[str, Any]:
    return {
        "key": channel.key,
        "name": channel.name,
        "kind": channel.kind,
        "platform": channel.platform,
        "unit": channel.unit.key,
        "account_id": channel.account_id,
        "purpose": channel.purpose,
        "manager": channel.manager.username if channel.manager else None,
        "responsible": channel.responsible.username if channel.responsible else None,
        "status": channel.status,
        "verified": channel.verified,
        "mailbox": channel.mailbox,
    }


def _check_people(
    unit: Unit, manager: User | None, responsible: User | None, channel: Channel | None = None
) -> None:
    """Active people, of the account's own unit or a unit the pack names to run it (C-03:
    "谁主办谁负责" — the manager and the responsible person are the hosting unit's)."""
    from guanwei.channels.scope import staff_units

    units = staff_units(channel) if channel is not None else [unit]
    for person, label in ((manager, "管理员"), (responsible, "直接责任人")):
        if person is None:
            continue
        if not person.is_active:
            raise InvalidChange(f"{label}“{person}”的账号已停用。")
        if not Membership.objects.filter(
            user=person, unit__in=units, revoked_at__isnull=True
        ).exists():
            names = "、".join(u.name for u in units)
            raise InvalidChange(
                f"{label}须是{names}的人员：“{person}”不在其中，未保存。"
                "请先在本单位为其指定角色，或选择本单位的人员。"
            )


@transaction.atomic
def create_channel(
    unit: Unit,
    *,
    actor: Actor | None,
    key: str,
    name: str,
    kind: str,
    account_id: str = "",
    purpose: str = "",
    manager: User | None = None,
    responsible: User | None = None,
    status: str = ChannelStatus.PENDING,
    verified: bool = False,
    mailbox: str = "",
) -> Channel:
    """Register an official account of ``unit`` (REQ C-01, C-08)."""
    require(actor, "channel.create", unit)
    kinds = rules_for(unit.organisation_id).channel_kinds
    if kind not in kinds:
        raise InvalidChange(f"账号类型“{kind}”不在本单位的制度包中。")
    if not name.strip():
        raise InvalidChange("账号名称不能为空。")
    if Channel.objects.filter(organisation_id=unit.organisation_id, key=key).exists():
        raise InvalidChange(f"账号标识“{key}”已被使用。")
    if status not in ChannelStatus.values:
        raise InvalidChange(f"未知的账号状态“{status}”。")
    if status != ChannelStatus.PENDING:
        # Opening an account is approved by the managing unit (W-04).
        require(actor, "channel.approve", unit)
    _check_people(unit, manager, responsible)
    channel = Channel.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        key=key,
        name=name.strip(),
        kind=kind,
        platform=Platform(kinds[kind]["platform"]),
        account_id=account_id,
        purpose=purpose,
        manager=manager,
        responsible=responsible,
        status=status,
        verified=verified,
        mailbox=mailbox.strip(),
    )
    record(
        AuditAction.CHANNEL_CREATED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        after=channel_snapshot(channel),
    )
    return channel


@transaction.atomic
def change_channel(channel: Channel, *, actor: Actor | None, **changes: Any) -> Channel:
    """Change an account's details. Opening or closing it (status) needs the
    managing unit's approval right (REQ W-04, C-12); a change of manager or
    responsible person is recorded (REQ C-03)."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise InvalidChange(f"不能修改这些字段：{', '.join(sorted(unknown))}")
    require(actor, "channel.change", channel)
    # LOCK ORDER: account → post → publication (publishing.actions.schedule_post): the
    # account first; suspending/closing then locks the waiting publications' posts, then
    # the publications (publishing.actions.cancel_channel_intents, by status_changed).
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    before = channel_snapshot(channel)
    if "status" in changes:
        if changes["status"] not in ChannelStatus.values:
            raise InvalidChange(f"未知的账号状态“{changes['status']}”。")
        if changes["status"] != channel.status:
            require(actor, "channel.approve", channel)
    if "name" in changes and not str(changes["name"]).strip():
        raise InvalidChange("账号名称不能为空。")
    _check_people(
        channel.unit,
        changes.get("manager") if changes.get("manager") != channel.manager else None,
        changes.get("responsible") if changes.get("responsible") != channel.responsible else None,
        channel,
    )
    changed = [f for f, v in changes.items() if getattr(channel, f) != v]
    if not changed:
        return channel
    status_before = channel.status
    for field, value in changes.items():
        setattr(channel, field, value)
    channel.save(update_fields=[*changed, "updated"])
    record(
        AuditAction.CHANNEL_CHANGED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        before=before,
        after=channel_snapshot(channel),
    )
    if channel.status != status_before:
        from guanwei.channels.events import status_changed

        status_changed.send(
            sender=Channel, channel=channel, actor=actor, before=status_before, after=channel.status
        )
    return channel


@transaction.atomic
def add_required_follow(
    follower: Channel, followee: Channel, *, actor: Actor | None, req: str = "W-07"
) -> RequiredFollow:
    """Record that ``follower`` must follow ``followee`` (REQ W-07)."""
    require(actor, "follow.manage", follower)
    if follower.pk == followee.pk:
        raise InvalidChange("账号不能关注自己。")
    if RequiredFollow.objects.filter(follower=follower, followee=followee).exists():
        raise InvalidChange(f"“{follower}”必须关注“{followee}”已登记。")
    follow = RequiredFollow.objects.create(follower=follower, followee=followee, req=req)
    record(
        AuditAction.REQUIRED_FOLLOW_ADDED,
        actor=actor,
        object_type="required_follow",
        object_id=follow.pk,
        object_repr=str(follow),
        organisation_id=follower.organisation_id,
        after={"follower": follower.key, "followee": followee.key, "req": req},
    )
    return follow


@transaction.atomic
def remove_required_follow(follow: RequiredFollow, *, actor: Actor | None) -> None:
    require(actor, "follow.manage", follow.follower)
    snapshot = {"follower": follow.follower.key, "followee": follow.followee.key, "req": follow.req}
    pk, text = follow.pk, str(follow)
    follow.delete()
    record(
        AuditAction.REQUIRED_FOLLOW_REMOVED,
        actor=actor,
        object_type="required_follow",
        object_id=pk,
        object_repr=text,
        organisation_id=follow.follower.organisation_id,
        before=snapshot,
    )


@transaction.atomic
def record_follow_check(follow: RequiredFollow, *, satisfied: bool, note: str = "") -> bool:
    """Store the result of checking a required follow on the platform (W-07); audited
    when the result changes. Returns whether it changed."""
    from django.utils import timezone

    changed = follow.satisfied is not satisfied
    RequiredFollow.objects.filter(pk=follow.pk).update(
        satisfied=satisfied, last_checked_at=timezone.now()
    )
    if changed:
        record(
            AuditAction.REQUIRED_FOLLOW_CHECKED,
            actor=SYSTEM,
            object_type="required_follow",
            object_id=follow.pk,
            object_repr=str(follow),
            organisation_id=follow.follower.organisation_id,
            before={"satisfied": follow.satisfied},
            after={"satisfied": satisfied, "note": note},
        )
    return changed


@transaction.atomic
def set_served_units(channel: Channel, *, actor: Actor | None, units: list[Unit]) -> Channel:
    """W-05: a county without its own account is served by the city account."""
    require(actor, "channel.change", channel)
    for unit in units:
        if unit.organisation_id != channel.organisation_id:
            raise InvalidChange("只能代为发布本单位的部门。")
    before = sorted(channel.serves.values_list("key", flat=True))
    channel.serves.set(units)
    record(
        AuditAction.CHANNEL_CHANGED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        before={"serves": before},
        after={"serves": sorted(u.key for u in units)},
    )
    return channel


@transaction.atomic
def set_account_scope(
    channel: Channel,
    *,
    actor: Actor | None,
    open_to_all: bool,
    open_to: list[Unit],
    publishers: list[Unit],
) -> Channel:
    """Issue 10 (C-09, T-01, T-02): which other units' posts may address the account
    (``open_to``, or every unit) and which units besides its own publish on it and may
    provide its manager or responsible person (``publishers``). Recorded."""
    require(actor, "channel.change", channel)
    for unit in [*open_to, *publishers]:
        if unit.organisation_id != channel.organisation_id:
            raise InvalidChange("只能指定本单位的部门。")
    before = {
        "open_to_all": channel.open_to_all,
        "open_to": sorted(channel.open_to.values_list("key", flat=True)),
        "publishers": sorted(channel.publishers.values_list("key", flat=True)),
    }
    Channel.objects.filter(pk=channel.pk).update(open_to_all=open_to_all)
    channel.open_to_all = open_to_all
    channel.open_to.set(open_to)
    channel.publishers.set(publishers)
    record(
        AuditAction.CHANNEL_CHANGED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        before=before,
        after={
            "open_to_all": open_to_all,
            "open_to": sorted(u.key for u in open_to),
            "publishers": sorted(u.key for u in publishers),
        },
    )
    return channel
