"""State changes of official accounts and required follows (REQ C-01, C-08, W-04, W-07)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import (
    Channel,
    ChannelStatus,
    Platform,
    RequiredFollow,
    UnregisteredReport,
    UnregisteredStatus,
)
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import Membership, Organisation, Unit, User
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
        if person.is_student:
            raise InvalidChange(
                f"{label}不能是学生：“{person}”是学生，账号严禁交与学生管理（C-08），未保存。"
            )
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


def _application_key(unit: Unit, kind: str) -> str:
    """A free key for an account applied for: ``<unit>-<kind>``, numbered when taken."""
    from django.utils.text import slugify

    base = slugify(f"{unit.key}-{kind}")[:56] or "account"
    key, n = base, 1
    while Channel.objects.filter(organisation_id=unit.organisation_id, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def create_applied_channel(
    unit: Unit,
    *,
    actor: Actor | None,
    name: str,
    kind: str,
    account_id: str = "",
    purpose: str = "",
    manager: User | None = None,
    responsible: User | None = None,
) -> Channel:
    """C-02, W-04: an account applied for on the 审批表 is registered 待开通 (pending) by its
    unit's applicant (``channel.apply``); it opens only when its application is approved
    (``open_by_application``)."""
    require(actor, "channel.apply", unit)
    kinds = rules_for(unit.organisation_id).channel_kinds
    if kind not in kinds:
        raise InvalidChange("请选择制度包中的账号类型（平台）。")
    if not name.strip():
        raise InvalidChange("请填写账号名称。")
    if (
        Channel.objects.filter(
            organisation_id=unit.organisation_id,
            name=name.strip(),
            platform=kinds[kind]["platform"],
        )
        .exclude(status=ChannelStatus.CLOSED)
        .exists()
    ):
        raise InvalidChange(f"本单位已有名为“{name.strip()}”的同平台账号。")
    _check_people(unit, manager, responsible)
    channel = Channel.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        key=_application_key(unit, kind),
        name=name.strip()[:128],
        kind=kind,
        platform=Platform(kinds[kind]["platform"]),
        account_id=account_id.strip()[:128],
        purpose=purpose,
        manager=manager,
        responsible=responsible,
        status=ChannelStatus.PENDING,
    )
    record(
        AuditAction.CHANNEL_APPLIED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        after=channel_snapshot(channel),
    )
    return channel


def _approved_application(channel: Channel, application: Any, kind: str) -> None:
    from guanwei.workflow.models import AuthorisationStatus

    if (
        application.channel_id != channel.pk
        or application.kind != kind
        or application.status != AuthorisationStatus.APPROVED
    ):
        raise InvalidChange("只有审批通过的审批表才能开通账号或变更其人员。")


@transaction.atomic
def open_by_application(channel: Channel, *, actor: Actor | None, application: Any) -> Channel:
    """C-02, W-04: the chain approved the 审批表 — the account opens (待开通 → 正常). The
    authority is the approved application (each step decided by its own role), not the
    permission of whoever gave the last opinion."""
    _approved_application(channel, application, "open")
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    if channel.status != ChannelStatus.PENDING:
        return channel
    before = channel_snapshot(channel)
    channel.status = ChannelStatus.ACTIVE
    channel.save(update_fields=["status", "updated"])
    record(
        AuditAction.CHANNEL_OPENED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        before=before,
        after={**channel_snapshot(channel), "application": application.pk},
    )
    from guanwei.channels.events import status_changed

    status_changed.send(
        sender=Channel,
        channel=channel,
        actor=actor,
        before=ChannelStatus.PENDING,
        after=channel.status,
    )
    return channel


@transaction.atomic
def change_people_by_application(
    channel: Channel, *, actor: Actor | None, application: Any
) -> bool:
    """C-03: the chain approved a change of manager or responsible person — the account's
    people change as the form names them. Returns whether anyone changed (then the
    password is due for a change at once, W-16: the caller asks the vault)."""
    _approved_application(channel, application, "change")
    channel = Channel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
    changes = {
        field: person
        for field, person in (
            ("manager", application.manager),
            ("responsible", application.responsible),
        )
        if person is not None and getattr(channel, f"{field}_id") != person.pk
    }
    if not changes:
        return False
    _check_people(channel.unit, changes.get("manager"), changes.get("responsible"), channel)
    before = channel_snapshot(channel)
    for field, person in changes.items():
        setattr(channel, field, person)
    channel.save(update_fields=[*changes, "updated"])
    # CHANNEL_CHANGED: the account's history of its people reads these (people_history)
    _record_changed(channel, actor=actor, before=before)
    record(
        AuditAction.CHANNEL_PEOPLE_CHANGED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        before={f: before[f] for f in changes},
        after={"application": application.pk, **{f: p.username for f, p in changes.items()}},
    )
    return True


def _record_changed(channel: Channel, *, actor: Actor | None, before: dict[str, Any]) -> None:
    """CHANNEL_CHANGED with the account as it was and as it is now (the account's history,
    ``people_history``, reads these)."""
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
    _record_changed(channel, actor=actor, before=before)
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


# ===================================================================== C-04
# Reports of accounts in the organisation's name that are not on its register
# (举报未备案账号, college 第五、六条; decision 0034). Anyone in the organisation reports;
# who registers the accounts checks it within UNREGISTERED_WORKDAYS working days (a
# deadline row of the oversight room) and closes it: 已责令关闭, 已纳入管理 or 不属实.

UNREGISTERED_WORKDAYS = 5
REPORT_PLATFORMS = [p for p in Platform.values if p != Platform.OUTBOX]
NOTE_MAX = 2000


def _report_snapshot(r: UnregisteredReport) -> dict[str, Any]:
    return {
        "status": r.status,
        "platform": r.platform,
        "name": r.name,
        "seen_where": r.seen_where,
        "note": r.note,
        "handler": r.handler_id,
        "channel": r.channel_id,
        "outcome": r.outcome,
        "due_at": r.due_at.isoformat(),
    }


def report_link(r: UnregisteredReport) -> str:
    return f"/channels/unregistered/{r.pk}/"


def _handlers(organisation: Organisation) -> list[int]:
    from guanwei.channels.access import may_handle_unregistered

    ids = Membership.objects.filter(
        unit__organisation=organisation, revoked_at__isnull=True
    ).values_list("user_id", flat=True)
    return [
        u.pk
        for u in User.objects.filter(pk__in=set(ids), is_active=True, is_superuser=False)
        if may_handle_unregistered(u, organisation)
    ]


@transaction.atomic
def report_unregistered(
    organisation: Organisation,
    *,
    actor: User,
    platform: str,
    name: str,
    seen_where: str = "",
    note: str = "",
) -> UnregisteredReport:
    """C-04: report an account found in the organisation's name that is not on its
    register; the checkers are told and a deadline is set."""
    from datetime import timedelta

    from django.utils import timezone

    from guanwei.channels.access import may_open_register
    from guanwei.channels.events import unregistered_reported
    from guanwei.notify.actions import notify

    if not may_open_register(actor, organisation):
        raise PermissionDenied("只有本单位的人员可以举报未备案账号。")
    name, seen_where, note = name.strip(), seen_where.strip(), note.strip()
    if platform not in REPORT_PLATFORMS:
        raise InvalidChange("请选择发现账号的平台。")
    if not name:
        raise InvalidChange("请填写账号名称或网址。")
    if len(name) > 300 or len(seen_where) > 300:
        raise InvalidChange("账号名称或网址、发现位置各最多 300 字。")
    if len(note) > NOTE_MAX:
        raise InvalidChange(f"情况说明最多 {NOTE_MAX} 字（现 {len(note)} 字），请精简。")
    membership = (
        Membership.objects.filter(
            user=actor, unit__organisation=organisation, revoked_at__isnull=True
        )
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    assert membership is not None
    r = UnregisteredReport.objects.create(
        organisation=organisation,
        reporter=actor,
        reporter_unit=membership.unit,
        platform=platform,
        name=name,
        seen_where=seen_where,
        note=note,
        due_at=timezone.now() + timedelta(days=7),
    )
    handlers = _handlers(organisation)
    for _receiver, due_at in unregistered_reported.send(
        sender=UnregisteredReport, report=r, handlers=handlers
    ):
        if due_at is not None:  # the oversight deadline's time (5 working days)
            r.due_at = due_at
            r.save(update_fields=["due_at"])
    record(
        AuditAction.UNREGISTERED_REPORTED,
        actor=actor,
        object_type="unregistered_report",
        object_id=r.pk,
        object_repr=r.name[:60],
        organisation_id=organisation.pk,
        after=_report_snapshot(r),
    )
    notify(
        [u for u in handlers if u != actor.pk],
        organisation_id=organisation.pk,
        title="未备案账号举报待核查",
        body=f"{r.get_platform_display()}：{r.name[:150]}",
        link=report_link(r),
    )
    return r


DECISIONS: dict[str, str] = {
    UnregisteredStatus.ORDERED_CLOSED: "已责令关闭",
    UnregisteredStatus.REGISTERED: "已纳入管理",
    UnregisteredStatus.UNFOUNDED: "不属实",
}


@transaction.atomic
def decide_unregistered(
    report: UnregisteredReport,
    *,
    actor: User,
    status: str,
    outcome: str,
    channel: Channel | None = None,
) -> UnregisteredReport:
    """C-04: the checker closes the report — the account ordered closed, brought under
    management (optionally the register's account it now is), or the report unfounded —
    with the outcome the reporter reads; the deadline is met (or was breached)."""
    from django.utils import timezone

    from guanwei.channels.access import may_handle_unregistered
    from guanwei.channels.events import unregistered_decided
    from guanwei.notify.actions import notify

    r = (
        UnregisteredReport.objects.select_for_update()
        .select_related("organisation")
        .get(pk=report.pk)
    )
    if not may_handle_unregistered(actor, r.organisation):
        raise PermissionDenied("只有负责账号备案登记的人员可以处理未备案账号举报。")
    if r.status != UnregisteredStatus.PENDING:
        raise InvalidChange(f"这份举报已{r.get_status_display()}，不能再处理。")
    if status not in DECISIONS:
        raise InvalidChange("请选择处理结果：已责令关闭、已纳入管理或不属实。")
    outcome = outcome.strip()
    if not outcome:
        raise InvalidChange("请写明处理情况，举报人会看到。")
    if len(outcome) > NOTE_MAX:
        raise InvalidChange(f"处理情况最多 {NOTE_MAX} 字，请精简。")
    if channel is not None and channel.organisation_id != r.organisation_id:
        raise InvalidChange("只能选择本单位的账号。")
    if status != UnregisteredStatus.REGISTERED:
        channel = None
    before = _report_snapshot(r)
    r.status = status
    r.outcome = outcome
    r.handler = actor
    r.channel = channel
    r.closed_at = timezone.now()
    r.save(update_fields=["status", "outcome", "handler", "channel", "closed_at"])
    record(
        AuditAction.UNREGISTERED_DECIDED,
        actor=actor,
        object_type="unregistered_report",
        object_id=r.pk,
        object_repr=r.name[:60],
        organisation_id=r.organisation_id,
        before=before,
        after=_report_snapshot(r),
    )
    unregistered_decided.send(sender=UnregisteredReport, report=r, actor=actor)
    notify(
        [r.reporter_id],
        organisation_id=r.organisation_id,
        title=f"您举报的未备案账号：{DECISIONS[status]}",
        body=outcome[:500],
        link=report_link(r),
    )
    return r
