"""The interaction desk's actions (互动台): every state change of the room is one function
here that checks permission, enforces the invariants, writes the audit record, in one
transaction. Views, API, CLI and tasks only call these."""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.core import files
from guanwei.core.errors import DomainError, InvalidChange, PermissionDenied
from guanwei.interaction.access import SOCIAL_PLATFORMS, may_be_given, on_account_staff
from guanwei.interaction.models import (
    AccountCheck,
    Activity,
    ActivityStatus,
    ActivityStep,
    AuthorCheck,
    Comment,
    CommentNote,
    Feedback,
    HarmReport,
    ItemStatus,
    ModerationRule,
    PostMetrics,
    ReportStatus,
    WatchTopic,
)
from guanwei.orgs.models import Membership, Organisation, Unit, User
from guanwei.orgs.permissions import SYSTEM, Actor, can, holds_anywhere
from guanwei.orgs.rules import rules_for

# ===================================================================== activities
# W-08, T-06, 第十七条: a poll, topic or online interview on an account is planned with the
# approval steps its pack's ``[[activities]]`` rule gives it, and a readiness checklist
# (staff on duty by name, prepared answers, the time window); it starts only when every
# step is approved and the checklist is complete.

ACTIVITY_KINDS: dict[str, str] = {"vote": "投票", "topic": "话题", "interview": "微访谈"}
STEP_PENDING, STEP_APPROVED, STEP_REJECTED = "pending", "approved", "rejected"


class ActivityNotReady(DomainError):
    """Refused to start: ``missing`` names each thing still missing, in Chinese."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("活动还不能开始：" + "；".join(missing) + "。")
        self.missing = missing


def activity_rules(organisation_id: int) -> list[dict[str, Any]]:
    """The organisation's ``[[activities]]`` rules (W-08, T-06), in pack order."""
    return [e for e in rules_for(organisation_id).extra("activities") if e.get("key")]


def activity_rule(organisation_id: int, key: str) -> dict[str, Any] | None:
    return next((e for e in activity_rules(organisation_id) if e["key"] == key), None)


def activity_chain(organisation_id: int, rule: dict[str, Any]) -> dict[str, Any] | None:
    """The approval chain an activity rule names (``chain``: a chain whose applies_to is
    activity, T-06's 网上互动及实时活动审批)."""
    for c in rules_for(organisation_id).chains:
        if c["applies_to"] == "activity" and c["key"] == rule.get("chain"):
            return c
    return None


def _unit_for(selector: str, unit: Unit) -> Unit | None:
    """Where a step's deciders sit: a selector (post_unit = the account's unit,
    parent_unit, root_unit), a unit key of the organisation, or a unit type (the nearest
    unit of that type above the account's unit: the province bureau for a county)."""
    if selector in ("", "post_unit", "provider_unit"):
        return unit
    if selector == "parent_unit":
        return unit.parent
    ancestors = sorted(
        Unit.objects.filter(organisation_id=unit.organisation_id).only("pk", "path"),
        key=lambda u: len(u.path),
    )
    ancestors = [u for u in ancestors if unit.path.startswith(u.path)]
    if selector == "root_unit":
        return Unit.objects.get(pk=ancestors[0].pk) if ancestors else unit
    by_key = Unit.objects.filter(organisation_id=unit.organisation_id, key=selector).first()
    if by_key is not None:
        return by_key
    typed = [u for u in ancestors if u.pk != unit.pk]
    of_type = Unit.objects.filter(pk__in=[u.pk for u in typed], unit_type=selector)
    return max(of_type, key=lambda u: len(u.path), default=None)


@dataclass(frozen=True)
class PlannedStep:
    key: str
    name: str
    unit: Unit
    roles: tuple[str, ...]


def planned_steps(
    organisation_id: int, rule: dict[str, Any], unit: Unit, *, major_weather: bool
) -> list[PlannedStep]:
    """The approval steps an activity of ``rule`` on an account of ``unit`` needs: the
    steps of the chain the rule names (T-06: the bureau leader), then, in a major weather
    event, the consent of ``consent_role`` at ``consent_from`` (W-08: the provincial
    publisher) — unless the account's own unit is that unit or above it."""
    out: list[PlannedStep] = []
    chain = activity_chain(organisation_id, rule)
    for st in (chain or {}).get("steps") or []:
        at = _unit_for(str(st.get("unit") or "post_unit"), unit)
        if at is None:
            raise InvalidChange(f"制度中“{st['name']}”的审批单位不存在。")
        out.append(PlannedStep(st["key"], st["name"], at, tuple(st.get("roles") or ())))
    consent_from = str(rule.get("consent_from") or "")
    if major_weather and consent_from:
        at = _unit_for(consent_from, unit)
        if at is None:
            raise InvalidChange("制度规定的上级同意单位不存在，活动无法提交。")
        if not unit.path.startswith(at.path):
            raise InvalidChange("制度规定的同意单位不是本账号单位的上级。")
        if at.pk != unit.pk:
            role = str(rule.get("consent_role") or "")
            name = rules_for(organisation_id).role_name(role) if role else ""
            out.append(PlannedStep("consent", f"{at.name}{name}同意", at, (role,) if role else ()))
    return out


def may_plan_activity(user: User | None, channel: Channel) -> bool:
    """Who plans an activity on an account: who writes posts for its unit; only on a social
    account (a poll, topic or interview runs on Weibo or WeChat, never on a website)."""
    return channel.platform in SOCIAL_PLATFORMS and can(user, "post.create", channel.unit)


def _require_plan(actor: Actor | None, channel: Channel) -> None:
    if channel.platform not in SOCIAL_PLATFORMS:
        raise InvalidChange(f"互动活动只能在微博或微信账号上开展，“{channel.name}”不是。")
    if not may_plan_activity(actor, channel):  # type: ignore[arg-type]
        raise PermissionDenied(f"您没有在账号“{channel.name}”上策划互动活动的权限。")


def _snapshot(a: Activity) -> dict[str, Any]:
    return {
        "title": a.title,
        "kind": a.kind,
        "rule": a.rule_key,
        "channel": a.channel_id,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat(),
        "major_weather": a.major_weather,
        "staff": sorted(a.staff.values_list("pk", flat=True)) if a.pk else [],
        "prepared_answers": a.prepared_answers,
        "status": a.status,
    }


def _check_fields(organisation_id: int, rule_key: str, kind: str, title: str) -> dict[str, Any]:
    rule = activity_rule(organisation_id, rule_key)
    if rule is None:
        raise InvalidChange("本单位的制度没有这类互动活动的规定。")
    kinds = list(rule.get("types") or ACTIVITY_KINDS)
    if kind not in kinds:
        raise InvalidChange("请选择制度允许的活动类型。")
    if not title.strip():
        raise InvalidChange("请填写活动名称。")
    return rule


def _set_staff(a: Activity, staff: Iterable[User]) -> None:
    people = list(staff)
    members = set(
        Membership.objects.filter(
            user__in=people, unit__organisation_id=a.organisation_id, revoked_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    if any(p.pk not in members for p in people):
        raise InvalidChange("值班人员须是本单位的人员。")
    a.staff.set(people)


@transaction.atomic
def plan_activity(
    channel: Channel,
    *,
    actor: Actor,
    rule_key: str,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    major_weather: bool = False,
    staff: Iterable[User] = (),
    prepared_answers: str = "",
) -> Activity:
    """Plan a poll, topic or online interview on ``channel`` (a draft: steps are made
    when it is submitted)."""
    _require_plan(actor, channel)
    _check_fields(channel.organisation_id, rule_key, kind, title)
    if ends_at <= starts_at:
        raise InvalidChange("结束时间须晚于开始时间。")
    a = Activity.objects.create(
        organisation_id=channel.organisation_id,
        unit=channel.unit,
        channel=channel,
        rule_key=rule_key,
        kind=kind,
        title=title.strip()[:200],
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        major_weather=major_weather,
        prepared_answers=prepared_answers,
        created_by=actor,  # type: ignore[misc]
    )
    _set_staff(a, staff)
    record(
        AuditAction.ACTIVITY_PLANNED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=a.title,
        organisation_id=a.organisation_id,
        after=_snapshot(a),
    )
    return a


def _locked(a: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("channel", "unit").get(pk=a.pk)


@transaction.atomic
def update_activity(
    activity: Activity,
    *,
    actor: Actor,
    title: str | None = None,
    description: str | None = None,
    kind: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    major_weather: bool | None = None,
    staff: Iterable[User] | None = None,
    prepared_answers: str | None = None,
) -> Activity:
    """Change a plan. What was approved (name, kind, time, major weather) changes only in
    a draft or a returned plan; the readiness (staff on duty, prepared answers) may be
    completed until the activity starts."""
    a = _locked(activity)
    _require_plan(actor, a.channel)
    before = _snapshot(a)
    plan_change = any(
        v is not None and v != getattr(a, f)
        for f, v in (
            ("title", title),
            ("description", description),
            ("kind", kind),
            ("starts_at", starts_at),
            ("ends_at", ends_at),
            ("major_weather", major_weather),
        )
    )
    editable = (ActivityStatus.DRAFT, ActivityStatus.REJECTED)
    ready_editable = (*editable, ActivityStatus.IN_REVIEW, ActivityStatus.APPROVED)
    if plan_change and a.status not in editable:
        raise InvalidChange("活动已提交审批：名称、类型、时间和重大天气标记不能再改。")
    if a.status not in ready_editable:
        raise InvalidChange("活动已开始或已结束，不能再修改。")
    for f, v in (
        ("title", title),
        ("description", description),
        ("kind", kind),
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("major_weather", major_weather),
        ("prepared_answers", prepared_answers),
    ):
        if v is not None:
            setattr(a, f, v)
    _check_fields(a.organisation_id, a.rule_key, a.kind, a.title)
    if a.ends_at <= a.starts_at:
        raise InvalidChange("结束时间须晚于开始时间。")
    if plan_change and a.status == ActivityStatus.REJECTED:
        a.status = ActivityStatus.DRAFT
    a.save()
    if staff is not None:
        _set_staff(a, staff)
    record(
        AuditAction.ACTIVITY_CHANGED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=a.title,
        organisation_id=a.organisation_id,
        before=before,
        after=_snapshot(a),
    )
    return a


@transaction.atomic
def submit_activity(activity: Activity, *, actor: Actor) -> Activity:
    """Ask for approval: the steps of the pack's rule are made now (the consent step only
    for an activity during a major weather event); without any step it is approved."""
    a = _locked(activity)
    _require_plan(actor, a.channel)
    if a.status not in (ActivityStatus.DRAFT, ActivityStatus.REJECTED):
        raise InvalidChange("活动已提交审批。")
    rule = activity_rule(a.organisation_id, a.rule_key)
    if rule is None:
        raise InvalidChange("本单位的制度没有这类互动活动的规定。")
    steps = planned_steps(a.organisation_id, rule, a.unit, major_weather=a.major_weather)
    a.steps.all().delete()
    ActivityStep.objects.bulk_create(
        ActivityStep(
            activity=a, position=i, key=s.key, name=s.name, unit=s.unit, roles=list(s.roles)
        )
        for i, s in enumerate(steps, start=1)
    )
    a.status = ActivityStatus.IN_REVIEW if steps else ActivityStatus.APPROVED
    a.save(update_fields=["status"])
    record(
        AuditAction.ACTIVITY_SUBMITTED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=a.title,
        organisation_id=a.organisation_id,
        after={**_snapshot(a), "steps": [[s.key, s.unit.pk, list(s.roles)] for s in steps]},
    )
    _tell_deciders(a)
    return a


def may_decide_step(user: User | None, step: ActivityStep) -> bool:
    """The step's deciders: who holds ``activity.approve`` over the activity's unit through
    one of the step's roles held in the step's unit (the province's publisher, the bureau
    leader). The planner never decides his own activity."""
    if user is None or not user.is_authenticated or step.status != STEP_PENDING:
        return False
    a = step.activity
    if user.pk == a.created_by_id or not can(user, "activity.approve", a.unit):
        return False
    if user.is_superuser:
        return True
    held = Membership.objects.filter(user=user, unit=step.unit, revoked_at__isnull=True)
    if step.roles:
        held = held.filter(role__in=step.roles)
    return held.exists()


def current_step(a: Activity) -> ActivityStep | None:
    return a.steps.filter(status=STEP_PENDING).order_by("position", "id").first()


def _tell_deciders(a: Activity) -> None:
    step = current_step(a) if a.status == ActivityStatus.IN_REVIEW else None
    if step is None:
        return
    from guanwei.notify.actions import notify

    people = Membership.objects.filter(unit=step.unit, revoked_at__isnull=True)
    if step.roles:
        people = people.filter(role__in=step.roles)
    ids = [uid for uid in people.values_list("user_id", flat=True) if uid != a.created_by_id]
    notify(
        ids,
        organisation_id=a.organisation_id,
        title=f"待审批互动活动：{a.title}",
        body=f"{a.channel.name}，{step.name}",
        link=f"/interaction/activities/{a.pk}/",
    )


@transaction.atomic
def decide_activity_step(
    step: ActivityStep, *, actor: Actor, approve: bool, reason: str = ""
) -> ActivityStep:
    """Approve or return the activity's current step (in order). All approved: the
    activity is approved; one returned: the activity is returned to its planner."""
    a = _locked(step.activity)
    step = ActivityStep.objects.select_for_update().select_related("unit").get(pk=step.pk)
    step.activity = a
    if a.status != ActivityStatus.IN_REVIEW:
        raise InvalidChange("这项活动不在审批中。")
    current = current_step(a)
    if current is None or current.pk != step.pk:
        raise InvalidChange("请按顺序审批：前一环节尚未批准。")
    if not may_decide_step(actor, step):  # type: ignore[arg-type]
        raise PermissionDenied(f"您不能审批“{step.name}”。")
    if not approve and not reason.strip():
        raise InvalidChange("退回时请写明理由。")
    step.status = STEP_APPROVED if approve else STEP_REJECTED
    step.decided_by = actor  # type: ignore[assignment]
    step.decided_at = timezone.now()
    step.reason = reason.strip()
    step.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    if not approve:
        a.status = ActivityStatus.REJECTED
    elif current_step(a) is None:
        a.status = ActivityStatus.APPROVED
    a.save(update_fields=["status"])
    record(
        AuditAction.ACTIVITY_STEP_APPROVED if approve else AuditAction.ACTIVITY_STEP_REJECTED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=f"{a.title}：{step.name}",
        organisation_id=a.organisation_id,
        after={"step": step.key, "status": step.status, "reason": step.reason},
    )
    from guanwei.notify.actions import notify

    if a.status in (ActivityStatus.APPROVED, ActivityStatus.REJECTED):
        notify(
            [a.created_by_id],
            organisation_id=a.organisation_id,
            title=f"互动活动{a.get_status_display()}：{a.title}",
            body=step.reason,
            link=f"/interaction/activities/{a.pk}/",
        )
    else:
        _tell_deciders(a)
    return step


NO_STAFF = "值班人员：尚未指定（须写明姓名）"


def readiness(a: Activity, *, now: datetime | None = None) -> list[tuple[str, str, bool]]:
    """The readiness checklist (第十七条 人员充分保障和准备充分): (key, what, done)."""
    now = now or timezone.now()
    staff = list(a.staff.order_by("username")) if a.pk else []
    names = "、".join(str(p) for p in staff)
    window_ok = a.ends_at > a.starts_at and now < a.ends_at
    if a.ends_at <= a.starts_at:
        window = "活动时间：结束时间须晚于开始时间"
    elif now >= a.ends_at:
        window = "活动时间：结束时间已过"
    else:
        window = (
            f"活动时间：{timezone.localtime(a.starts_at):%Y-%m-%d %H:%M}"
            f" 至 {timezone.localtime(a.ends_at):%Y-%m-%d %H:%M}"
        )
    return [
        (
            "staffing",
            f"值班人员：{names}" if staff else "值班人员：尚未指定（须写明姓名）",
            bool(staff),
        ),
        (
            "preparation",
            "预备答复口径：已填写" if a.prepared_answers.strip() else "预备答复口径：尚未填写",
            bool(a.prepared_answers.strip()),
        ),
        ("window", window, window_ok),
    ]


def missing_to_start(a: Activity, *, now: datetime | None = None) -> list[str]:
    """Everything that keeps ``a`` from starting, each in the words the page shows."""
    out: list[str] = []
    if a.status in (ActivityStatus.DRAFT, ActivityStatus.REJECTED):
        out.append(
            "尚未提交审批" if a.status == ActivityStatus.DRAFT else "审批被退回，须修改后重新提交"
        )
    elif a.status == ActivityStatus.RUNNING:
        return ["活动已在进行中"]
    elif a.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED):
        return [f"活动{a.get_status_display()}"]
    for step in a.steps.select_related("unit").order_by("position", "id"):
        if step.status != STEP_APPROVED:
            out.append(f"{step.name}：尚未批准（{step.unit.name}）")
    out.extend(text for _key, text, done in readiness(a, now=now) if not done)
    return out


@transaction.atomic
def start_activity(activity: Activity, *, actor: Actor) -> Activity:
    """Start: every step approved and the checklist complete, else refused with exactly
    what is missing (W-08, T-06)."""
    a = _locked(activity)
    _require_plan(actor, a.channel)
    missing = missing_to_start(a)
    if missing:
        raise ActivityNotReady(missing)
    now = timezone.now()
    changed = Activity.objects.filter(pk=a.pk, status=ActivityStatus.APPROVED).update(
        status=ActivityStatus.RUNNING, started_at=now
    )
    if changed != 1:
        raise InvalidChange("活动状态已变化，请刷新页面。")
    a.refresh_from_db()
    record(
        AuditAction.ACTIVITY_STARTED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=a.title,
        organisation_id=a.organisation_id,
        after=_snapshot(a),
    )
    return a


@transaction.atomic
def finish_activity(activity: Activity, *, actor: Actor) -> Activity:
    a = _locked(activity)
    _require_plan(actor, a.channel)
    changed = Activity.objects.filter(pk=a.pk, status=ActivityStatus.RUNNING).update(
        status=ActivityStatus.FINISHED, finished_at=timezone.now()
    )
    if changed != 1:
        raise InvalidChange("只有进行中的活动可以结束。")
    a.refresh_from_db()
    record(
        AuditAction.ACTIVITY_FINISHED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=a.title,
        organisation_id=a.organisation_id,
        after=_snapshot(a),
    )
    return a


@transaction.atomic
def cancel_activity(activity: Activity, *, actor: Actor, reason: str = "") -> Activity:
    a = _locked(activity)
    _require_plan(actor, a.channel)
    open_ = (
        ActivityStatus.DRAFT,
        ActivityStatus.IN_REVIEW,
        ActivityStatus.APPROVED,
        ActivityStatus.REJECTED,
    )
    changed = Activity.objects.filter(pk=a.pk, status__in=open_).update(
        status=ActivityStatus.CANCELLED
    )
    if changed != 1:
        raise InvalidChange("已开始或已结束的活动不能取消。")
    a.refresh_from_db()
    record(
        AuditAction.ACTIVITY_CANCELLED,
        actor=actor,
        object_type="activity",
        object_id=a.pk,
        object_repr=a.title,
        organisation_id=a.organisation_id,
        after={**_snapshot(a), "reason": reason},
    )
    return a


# ===================================================================== harm reports
# C-10 (第十三条): anyone in the organisation reports an illegal or damaging item found
# online to the opinion office (incident.handle over the organisation), which accepts or
# dismisses it, handles it by the pack's deadline and closes it with an outcome the
# reporter sees.

HARM_TRIGGER = "harm_reported"
MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024


def harm_rule(organisation_id: int) -> dict[str, Any] | None:
    """The pack's deadline for handling a harm report (``[[deadlines]]`` with
    ``trigger = "harm_reported"``: its ``hours``), or None where the rule book has none."""
    return next(
        (
            d
            for d in rules_for(organisation_id).extra("deadlines")
            if d.get("trigger") == "harm_reported"
        ),
        None,
    )


def may_report_harm(user: User | None, organisation: Organisation) -> bool:
    """Anyone in the organisation, where its rule book has C-10's rule."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if harm_rule(organisation.pk) is None:
        return False
    return Membership.objects.filter(
        user=user, unit__organisation=organisation, revoked_at__isnull=True
    ).exists()


def may_handle_reports(user: User | None, organisation: Organisation) -> bool:
    """The opinion office: ``incident.handle`` over the whole organisation."""
    return can(user, "incident.handle", organisation)


@dataclass(frozen=True)
class Screenshot:
    kind: files.Kind
    data: bytes


def check_screenshot(upload: UploadedFile | None) -> Screenshot | None:
    """A screenshot is a picture by its bytes (never the browser's content type), decoded
    and written again by Pillow; anything else is refused with a clear message."""
    if upload is None:
        return None
    if upload.size is not None and upload.size > MAX_SCREENSHOT_BYTES:
        raise InvalidChange("截图不能超过 10 MB。")
    data = upload.read()
    kind = files.sniff(data)
    if kind is None or not kind.picture:
        raise InvalidChange(
            "截图须是图片（JPEG、PNG、GIF 或 WebP）：所选文件不是图片，请重新选择。"
        )
    try:
        data = files.reencode(data, kind, max_pixels=settings.GUANWEI_MAX_IMAGE_PIXELS)
    except files.Refused as e:
        raise InvalidChange(str(e)) from e
    return Screenshot(kind, data)


def _delete_unless_kept(kept: dict[str, bool], storage: Any, name: str) -> None:
    if not kept["kept"]:
        try:
            storage.delete(name)
        except OSError:
            pass


def _drop_on_rollback(storage: Any, name: str) -> None:
    """The file written in this transaction is deleted again if it rolls back (as the
    content room's uploads, E-02): the on_commit callback marks it kept when it runs; when
    a rollback drops the callback unrun, its finalizer deletes the file."""
    kept = {"kept": False}

    def keep() -> None:
        kept["kept"] = True

    weakref.finalize(keep, _delete_unless_kept, kept, storage, name)
    transaction.on_commit(keep, robust=True)


def _office(organisation_id: int) -> list[int]:
    org = Organisation.objects.get(pk=organisation_id)
    ids = Membership.objects.filter(
        unit__organisation_id=organisation_id, revoked_at__isnull=True
    ).values_list("user_id", flat=True)
    people = User.objects.filter(pk__in=set(ids), is_active=True)
    return [u.pk for u in people if may_handle_reports(u, org)]


def _report_snapshot(r: HarmReport) -> dict[str, Any]:
    return {
        "status": r.status,
        "link": r.link,
        "description": r.description,
        "screenshot": r.screenshot_type,
        "handler": r.handler_id,
        "due_at": r.due_at.isoformat() if r.due_at else None,
        "outcome": r.outcome,
    }


def _report_link(r: HarmReport) -> str:
    return f"/interaction/reports/{r.pk}/"


def _safe_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    if not link.lower().startswith(("http://", "https://")) or len(link) > 1000:
        raise InvalidChange("链接须以 http:// 或 https:// 开头。")
    return link


REPORT_MAX = 5000  # characters of 情况说明


@transaction.atomic
def report_harm(
    organisation: Organisation,
    *,
    actor: User,
    description: str,
    link: str = "",
    screenshot: Screenshot | None = None,
) -> HarmReport:
    """File a report (C-10); its handling deadline is the pack's ``hours`` from now."""
    if not may_report_harm(actor, organisation):
        raise PermissionDenied("您不能在本单位报告有害信息。")
    if len(description.strip()) > REPORT_MAX:
        n = len(description.strip())
        raise InvalidChange(f"情况说明最多 {REPORT_MAX} 字（现 {n} 字），请精简。")
    if not description.strip():
        raise InvalidChange("请写明情况说明。")
    link = _safe_link(link)
    rule = harm_rule(organisation.pk) or {}
    membership = (
        Membership.objects.filter(
            user=actor, unit__organisation=organisation, revoked_at__isnull=True
        )
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    assert membership is not None
    now = timezone.now()
    hours = int(rule.get("hours") or 24)
    r = HarmReport(
        organisation=organisation,
        reporter=actor,
        reporter_unit=membership.unit,
        link=link,
        description=description.strip(),
        due_at=now + timedelta(hours=hours),
    )
    if screenshot is not None:
        r.screenshot_type = screenshot.kind.content_type
        r.screenshot.save(
            f"{uuid.uuid4().hex}.{screenshot.kind.extension}",
            ContentFile(screenshot.data),
            save=False,
        )
        _drop_on_rollback(r.screenshot.storage, str(r.screenshot.name))
    r.save()
    record(
        AuditAction.HARM_REPORTED,
        actor=actor,
        object_type="harm_report",
        object_id=r.pk,
        object_repr=r.description[:60],
        organisation_id=organisation.pk,
        after=_report_snapshot(r),
    )
    from guanwei.notify.actions import notify

    notify(
        [u for u in _office(organisation.pk) if u != actor.pk],
        organisation_id=organisation.pk,
        title="有害信息报告待研判",
        body=r.description[:200],
        link=_report_link(r),
    )
    return r


def _locked_report(r: HarmReport, actor: User, *allowed: str) -> HarmReport:
    r = HarmReport.objects.select_for_update().select_related("organisation").get(pk=r.pk)
    if not may_handle_reports(actor, r.organisation):
        raise PermissionDenied("只有舆情办可以处置有害信息报告。")
    if r.status not in allowed:
        raise InvalidChange(f"这份报告{r.get_status_display()}，不能再这样处理。")
    return r


def _tell_reporter(r: HarmReport, title: str) -> None:
    from guanwei.notify.actions import notify

    notify(
        [r.reporter_id],
        organisation_id=r.organisation_id,
        title=title,
        body=r.outcome[:500],
        link=_report_link(r),
    )


@transaction.atomic
def accept_report(report: HarmReport, *, actor: User) -> HarmReport:
    """The opinion office takes the report for handling (研判: 处置)."""
    r = _locked_report(report, actor, ReportStatus.NEW)
    before = _report_snapshot(r)
    r.status = ReportStatus.HANDLING
    r.handler = actor
    r.save(update_fields=["status", "handler"])
    record(
        AuditAction.HARM_REPORT_ACCEPTED,
        actor=actor,
        object_type="harm_report",
        object_id=r.pk,
        object_repr=r.description[:60],
        organisation_id=r.organisation_id,
        before=before,
        after=_report_snapshot(r),
    )
    return r


@transaction.atomic
def dismiss_report(report: HarmReport, *, actor: User, reason: str) -> HarmReport:
    """Not to be handled (不予处置), with the reason the reporter reads."""
    r = _locked_report(report, actor, ReportStatus.NEW)
    if not reason.strip():
        raise InvalidChange("不予处置时请写明理由。")
    before = _report_snapshot(r)
    r.status = ReportStatus.DISMISSED
    r.handler = actor
    r.outcome = reason.strip()
    r.closed_at = timezone.now()
    r.save(update_fields=["status", "handler", "outcome", "closed_at"])
    record(
        AuditAction.HARM_REPORT_DISMISSED,
        actor=actor,
        object_type="harm_report",
        object_id=r.pk,
        object_repr=r.description[:60],
        organisation_id=r.organisation_id,
        before=before,
        after=_report_snapshot(r),
    )
    _tell_reporter(r, "您报告的有害信息：不予处置")
    return r


@transaction.atomic
def close_report(report: HarmReport, *, actor: User, outcome: str) -> HarmReport:
    """Handled (办结), with the outcome the reporter reads."""
    r = _locked_report(report, actor, ReportStatus.HANDLING)
    if not outcome.strip():
        raise InvalidChange("办结时请写明处置结果。")
    before = _report_snapshot(r)
    r.status = ReportStatus.CLOSED
    r.outcome = outcome.strip()
    r.closed_at = timezone.now()
    r.save(update_fields=["status", "outcome", "closed_at"])
    record(
        AuditAction.HARM_REPORT_CLOSED,
        actor=actor,
        object_type="harm_report",
        object_id=r.pk,
        object_repr=r.description[:60],
        organisation_id=r.organisation_id,
        before=before,
        after=_report_snapshot(r),
    )
    _tell_reporter(r, "您报告的有害信息已办结")
    return r


# ===================================================================== feedback
# W-09 (聊天类: 满意度反馈), W-20 / 第四条(四) (收集反馈意见): feedback is captured from a
# comment (the inbox's button) or entered by hand, tagged, and tallied per month, account
# and topic (queries.feedback_tally).


def may_record_feedback(user: User | None, unit: Unit) -> bool:
    """Who handles the unit's comments records its feedback."""
    return can(user, "comment.moderate", unit)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in tags:
        t = str(t).strip().lstrip("#")[:32]
        if t and t not in out:
            out.append(t)
    return out[:10]


def _check_satisfaction(value: int | None) -> int | None:
    if value is None:
        return None
    if not 1 <= int(value) <= 5:
        raise InvalidChange("满意度须为 1 到 5 分。")
    return int(value)


def _feedback_snapshot(f: Feedback) -> dict[str, Any]:
    return {
        "unit": f.unit_id,
        "channel": f.channel_id,
        "comment": f.comment_id,
        "text": f.text[:500],
        "topic": f.topic,
        "tags": f.tags,
        "satisfaction": f.satisfaction,
    }


@transaction.atomic
def capture_feedback(
    comment: Comment,
    *,
    actor: User,
    topic: str = "",
    tags: Iterable[str] = (),
    satisfaction: int | None = None,
    text: str = "",
) -> Feedback:
    """Record a comment or message as feedback (once per comment): its text unless another
    summary is given, on the comment's account."""
    if not may_record_feedback(actor, comment.unit):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    _lock_comment(comment)  # a double click waits here, then sees the first one's row
    if Feedback.objects.filter(comment=comment).exists():
        raise InvalidChange("这条评论已记为意见反馈。")
    f = Feedback.objects.create(
        organisation_id=comment.organisation_id,
        unit=comment.unit,
        channel=comment.channel,
        comment=comment,
        text=(text.strip() or comment.text)[:5000],
        topic=topic.strip()[:64],  # the person's words (triage's topic is a code, not a name)
        tags=_clean_tags(tags),
        satisfaction=_check_satisfaction(satisfaction),
        created_by=actor,
    )
    record(
        AuditAction.FEEDBACK_CAPTURED,
        actor=actor,
        object_type="feedback",
        object_id=f.pk,
        object_repr=f.text[:60],
        organisation_id=f.organisation_id,
        after=_feedback_snapshot(f),
    )
    return f


@transaction.atomic
def record_feedback(
    channel: Channel,
    *,
    actor: User,
    text: str,
    topic: str = "",
    tags: Iterable[str] = (),
    satisfaction: int | None = None,
) -> Feedback:
    """Feedback entered by hand (a call, a letter, a message elsewhere) for an account."""
    if not may_record_feedback(actor, channel.unit):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    if not text.strip():
        raise InvalidChange("请填写反馈内容。")
    f = Feedback.objects.create(
        organisation_id=channel.organisation_id,
        unit=channel.unit,
        channel=channel,
        text=text.strip()[:5000],
        topic=topic.strip()[:64],
        tags=_clean_tags(tags),
        satisfaction=_check_satisfaction(satisfaction),
        created_by=actor,
    )
    record(
        AuditAction.FEEDBACK_CAPTURED,
        actor=actor,
        object_type="feedback",
        object_id=f.pk,
        object_repr=f.text[:60],
        organisation_id=f.organisation_id,
        after=_feedback_snapshot(f),
    )
    return f


@transaction.atomic
def tag_feedback(feedback: Feedback, *, actor: User, topic: str, tags: Iterable[str]) -> Feedback:
    f = Feedback.objects.select_for_update().select_related("unit").get(pk=feedback.pk)
    if not may_record_feedback(actor, f.unit):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    before = _feedback_snapshot(f)
    f.topic = topic.strip()[:64]
    f.tags = _clean_tags(tags)
    f.save(update_fields=["topic", "tags"])
    record(
        AuditAction.FEEDBACK_CHANGED,
        actor=actor,
        object_type="feedback",
        object_id=f.pk,
        object_repr=f.text[:60],
        organisation_id=f.organisation_id,
        before=before,
        after=_feedback_snapshot(f),
    )
    return f


# ===================================================================== inbox
# W-18, W-19: the 互动台's own moves — give an item to a person, note it, mark it done or
# open again. The staff of the account's publishing unit may (interaction.access: who
# handles its comments, or answers its questions through a role held there); the person
# it is assigned or escalated to (an organisation's expert, W-20), for notes and done.


def may_handle(user: User, comment: Comment) -> bool:
    return on_account_staff(user, comment.unit)


def _may_work_on(user: User, comment: Comment) -> bool:
    return may_handle(user, comment) or user.pk in (comment.assignee_id, comment.escalated_to_id)


def mark_first_response(comment: Comment, at: datetime | None = None) -> None:
    """The first response to an item (a reply sent, hidden, deleted, escalated or marked
    done by a person): set once, what the reply deadline is measured against. Called
    inside the caller's transaction, on a row it has locked or just changed."""
    if comment.first_response_at is None:
        comment.first_response_at = at or timezone.now()
        Comment.objects.filter(pk=comment.pk, first_response_at__isnull=True).update(
            first_response_at=comment.first_response_at
        )
        from guanwei.interaction.experts import settle_deadline

        settle_deadline(comment, evidence="首次响应")  # W-20: the reply deadline is met


def _audit_comment(action: AuditAction, comment: Comment, actor: User, **change: Any) -> None:
    """One audit record of an inbox move on ``comment`` (``before`` / ``after``)."""
    record(
        action,
        actor=actor,
        object_type="comment",
        object_id=comment.pk,
        object_repr=comment.text[:60],
        organisation_id=comment.organisation_id,
        **change,
    )


def _lock_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().select_related("unit").get(pk=comment.pk)


@transaction.atomic
def assign_comment(comment: Comment, *, assignee: User | None, actor: User) -> Comment:
    """Give an item to a person who handles the account's comments (or take it back)."""
    comment = _lock_comment(comment)
    if not may_handle(actor, comment):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    if assignee is not None and not may_be_given(assignee, comment.unit):
        name = assignee.get_full_name() or assignee.username
        raise InvalidChange(f"{name}不处理该账号的评论留言，不能分派给他。")
    before = comment.assignee_id
    if before == (assignee.pk if assignee else None):
        return comment
    comment.assignee = assignee
    comment.save(update_fields=["assignee"])
    _audit_comment(
        AuditAction.COMMENT_ASSIGNED,
        comment,
        actor,
        before={"assignee": before},
        after={"assignee": comment.assignee_id},
    )
    return comment


@transaction.atomic
def note_comment(comment: Comment, *, text: str, actor: User) -> CommentNote:
    """An internal note on an item (never sent to the platform)."""
    comment = _lock_comment(comment)
    if not _may_work_on(actor, comment):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    text = (text or "").strip()
    if not text:
        raise InvalidChange("请填写备注内容。")
    if len(text) > 2000:
        raise InvalidChange("备注最多 2000 字。")
    note = CommentNote.objects.create(comment=comment, author=actor, text=text)
    _audit_comment(AuditAction.COMMENT_NOTED, comment, actor, after={"note": note.pk})
    return note


@transaction.atomic
def mark_comment_done(comment: Comment, *, actor: User) -> Comment:
    """Done (已处理): nothing more to do on this item; counts as its first response."""
    comment = _lock_comment(comment)
    if not _may_work_on(actor, comment):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    if comment.status == ItemStatus.DONE:
        return comment
    before = comment.status
    now = timezone.now()
    comment.status, comment.done_at = ItemStatus.DONE, now
    comment.save(update_fields=["status", "done_at"])
    mark_first_response(comment, now)
    _audit_comment(
        AuditAction.COMMENT_DONE,
        comment,
        actor,
        before={"status": before},
        after={"status": comment.status},
    )
    return comment


@transaction.atomic
def reopen_comment(comment: Comment, *, actor: User) -> Comment:
    """Open a done item again (its first response time stays as it was)."""
    comment = _lock_comment(comment)
    if not may_handle(actor, comment):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    if comment.status != ItemStatus.DONE:
        return comment
    comment.status, comment.done_at = ItemStatus.OPEN, None
    comment.save(update_fields=["status", "done_at"])
    _audit_comment(
        AuditAction.COMMENT_REOPENED,
        comment,
        actor,
        before={"status": ItemStatus.DONE},
        after={"status": comment.status},
    )
    return comment


# ===================================================================== fetching
# W-18, E-06: comments fetched from the platforms (interaction.fetch). A page of comments
# and the cursor that moves past it are stored in one transaction: a crash at any point
# neither misses nor duplicates one. A platform that fails pauses the account's fetching
# with backoff and tells its publisher once.

FETCH_BACKOFF_S = 60.0
FETCH_BACKOFF_MAX_S = 3600.0


def store_fetched_page(
    cursor_id: int,
    prepared: list[Comment],
    *,
    new_cursor: str,
    now: datetime | None = None,
    lease_until: datetime | None = None,
) -> list[Comment]:
    """Store a fetched batch's new comments (one or more pages) and advance the cursor, in
    one transaction, with one audit record for the batch (written in one INSERT with the
    records of what the rules did). The cursor row is locked first: two fetchers of one
    stream store one after the other. ``lease_until``: the fetcher's lease renewed. The
    rules' platform calls (delete, hide on WeChat) are queued in the transaction and made
    after it commits (``moderation.carry_out``)."""
    from guanwei.audit.actions import record_many
    from guanwei.interaction import ingest
    from guanwei.interaction.models import FetchCursor
    from guanwei.orgs.permissions import SYSTEM

    now = now or timezone.now()
    with transaction.atomic():
        cursor = (
            FetchCursor.objects.select_for_update(of=("self",))
            .select_related("channel", "channel__organisation", "channel__unit")
            .get(pk=cursor_id)
        )
        audit: list[dict[str, Any]] = []
        stored = ingest.store(cursor.channel, cursor.source, prepared, audit=audit)
        changes: dict[str, Any] = {"cursor": new_cursor, "fetched_at": now, "failures": 0}
        changes.update(error_code="", error_message="")
        if lease_until is not None:
            changes["next_fetch_at"] = lease_until
        FetchCursor.objects.filter(pk=cursor_id).update(**changes)
        if stored:
            audit.append(
                {
                    "action": AuditAction.COMMENTS_FETCHED,
                    "actor": SYSTEM,
                    "object_type": "fetch_cursor",
                    "object_id": cursor_id,
                    "object_repr": str(cursor)[:200],
                    "organisation_id": cursor.organisation_id,
                    "after": {"stored": len(stored), "cursor": new_cursor},
                }
            )
        record_many(audit)
    from guanwei.interaction import moderation

    queued = [c.pk for c in stored if c.platform_todo]
    if queued:  # the rules' platform calls, after the commit (W-18)
        moderation.carry_out(queued)
    return stored


def pause_fetching(
    cursor_id: int, *, code: str, message: str, now: datetime | None = None
) -> datetime:
    """The platform failed (rate limit, expired token, 5xx …): every cursor of the account
    waits (60 s doubling, at most an hour); the first failure tells the account's
    publisher (who scheduled its posts, its manager). Returns when fetching resumes."""
    from guanwei.interaction.models import FetchCursor
    from guanwei.notify.actions import notify
    from guanwei.orgs.permissions import SYSTEM

    now = now or timezone.now()
    with transaction.atomic():
        cursor = (
            FetchCursor.objects.select_for_update(of=("self",))
            .select_related("channel")
            .get(pk=cursor_id)
        )
        channel = cursor.channel
        failing_before = FetchCursor.objects.filter(channel=channel, failures__gt=0).exists()
        failures = cursor.failures + 1
        wait = min(FETCH_BACKOFF_S * 2 ** (failures - 1), FETCH_BACKOFF_MAX_S)
        resume = now + timedelta(seconds=wait)
        FetchCursor.objects.filter(pk=cursor_id).update(
            failures=failures, error_code=code[:64], error_message=message, next_fetch_at=resume
        )
        FetchCursor.objects.filter(channel=channel).exclude(pk=cursor_id).filter(
            next_fetch_at__lt=resume
        ).update(next_fetch_at=resume)
        if not failing_before:
            people = {channel.manager_id}
            people.update(
                _publishers(channel.pk)  # who publishes on the account
            )
            notify(
                [p for p in people if p],
                organisation_id=channel.organisation_id,
                title=f"“{channel.name}”的评论抓取已暂停",
                body=f"{message}\n已抓取的评论不受影响；系统将在 {int(wait)} 秒后自动重试。",
                link="/interaction/",
            )
            record(
                AuditAction.COMMENT_FETCH_PAUSED,
                actor=SYSTEM,
                object_type="channel",
                object_id=channel.pk,
                object_repr=channel.name[:200],
                organisation_id=channel.organisation_id,
                after={"code": code, "message": message, "resume": resume.isoformat()},
            )
    return resume


def _publishers(channel_id: int) -> set[int]:
    from guanwei.publishing.models import IntentStatus, PublishIntent

    return set(
        PublishIntent.objects.filter(
            channel_id=channel_id, status=IntentStatus.PUBLISHED, scheduled_by__isnull=False
        )
        .order_by("-published_at")
        .values_list("scheduled_by_id", flat=True)[:3]
    )


# ===================================================================== watchlist (E-06)
# 舆情关注: the topics and hashtags an organisation watches (who reads statistics or
# handles comments manages them), and what the platforms said of its accounts, their
# commenters and its posts' figures — readings the scheduler pass stores (``watchlist``),
# observations rather than decisions, so not audited (like a fetch cursor).


def may_manage_watch(user: Actor | None, organisation: Organisation) -> bool:
    """Adding and removing watch topics changes what the organisation watches: who handles
    comments somewhere in it (E-06). Reading the page is wider (``watchlist.may_open_watch``:
    also who reads statistics) — a view permission gates no change."""
    return isinstance(user, User) and holds_anywhere(user, "comment.moderate", organisation)


def _keywords(name: str, keywords: Iterable[str]) -> list[str]:
    found: list[str] = []
    for raw in [name, *keywords]:
        word = raw.strip().strip("#＃").strip()
        if word and word not in found:
            found.append(word[:50])
    return found[:20]


def add_watch_topic(
    organisation: Organisation, *, actor: Actor, name: str, keywords: Iterable[str] = ()
) -> WatchTopic:
    """Watch a topic or hashtag (``#暴雨预警#`` or a plain word): its name is one of its
    keywords, the others are matched as well (at most 20, each at most 50 characters)."""
    if not may_manage_watch(actor, organisation):
        raise PermissionDenied("您没有管理舆情关注话题的权限。")
    assert isinstance(actor, User)
    name = name.strip()
    if not name.strip("#＃ "):
        raise InvalidChange("请填写话题名称。")
    if len(name) > 100:
        raise InvalidChange("话题名称不能超过 100 个字。")
    with transaction.atomic():
        if WatchTopic.objects.filter(organisation=organisation, name=name).exists():
            raise InvalidChange(f"已经在关注“{name}”。")
        topic = WatchTopic.objects.create(
            organisation=organisation,
            name=name,
            keywords=_keywords(name, keywords),
            created_by=actor,
        )
        record(
            AuditAction.WATCH_TOPIC_ADDED,
            actor=actor,
            object_type="watch_topic",
            object_id=topic.pk,
            object_repr=name,
            organisation_id=organisation.pk,
            after={"name": name, "keywords": topic.keywords},
        )
    return topic


def remove_watch_topic(topic: WatchTopic, *, actor: Actor) -> None:
    if not may_manage_watch(actor, topic.organisation):
        raise PermissionDenied("您没有管理舆情关注话题的权限。")
    with transaction.atomic():
        record(
            AuditAction.WATCH_TOPIC_REMOVED,
            actor=actor,
            object_type="watch_topic",
            object_id=topic.pk,
            object_repr=topic.name,
            organisation_id=topic.organisation_id,
            before={"name": topic.name, "keywords": topic.keywords},
        )
        topic.delete()


def record_account_check(
    channel: Channel,
    *,
    verified: bool,
    verified_type: int | None,
    verified_reason: str,
    followers: int | None,
    at: datetime | None = None,
) -> AccountCheck:
    """What the platform said of one of the organisation's accounts (加V, followers)."""
    check, _ = AccountCheck.objects.update_or_create(
        channel=channel,
        defaults={
            "verified": verified,
            "verified_type": verified_type,
            "verified_reason": verified_reason[:200],
            "followers": followers if followers is None or followers >= 0 else None,
            "checked_at": at or timezone.now(),
        },
    )
    return check


def record_author_check(
    channel: Channel,
    author_id: str,
    *,
    name: str,
    verified: bool,
    verified_type: int | None,
    verified_reason: str,
    followers: int | None,
    at: datetime | None = None,
) -> AuthorCheck:
    """What the platform said of a commenter on the account's posts."""
    check, _ = AuthorCheck.objects.update_or_create(
        channel=channel,
        author_id=author_id,
        defaults={
            "name": name[:200],
            "verified": verified,
            "verified_type": verified_type,
            "verified_reason": verified_reason[:200],
            "followers": followers if followers is None or followers >= 0 else None,
            "checked_at": at or timezone.now(),
        },
    )
    return check


def record_post_metrics(
    readings: Iterable[tuple[Any, dict[str, int]]], *, at: datetime | None = None
) -> int:
    """One snapshot per published intent (``(intent, {"comments", "reposts", "likes"})``),
    all taken at ``at``: the volume over time is read from these rows."""
    taken_at = at or timezone.now()
    rows = [
        PostMetrics(
            organisation_id=intent.organisation_id,
            channel_id=intent.channel_id,
            intent=intent,
            taken_at=taken_at,
            comments=max(0, int(figures.get("comments", 0))),
            reposts=max(0, int(figures.get("reposts", 0))),
            likes=max(0, int(figures.get("likes", 0))),
        )
        for intent, figures in readings
    ]
    PostMetrics.objects.bulk_create(rows)
    return len(rows)


# ===================================================================== moderation
# W-18: the moderation rules (interaction.rules) an organisation works with. A pack's
# ``[[moderation]]`` rules become rows when the pack loads (interaction.rules.load_pack_rules);
# a rule changed here is no longer ``from_pack``, so a reload keeps it as edited. The rules
# page (/interaction/rules/) is for who holds ``comment.moderate`` over the whole
# organisation. The comment actions themselves (hide, delete on the platform, escalate,
# label, assign, mark reviewed, unhide) are in interaction.moderation.


def may_edit_rules(user: Actor | None, organisation: Organisation) -> bool:
    """``comment.moderate`` at the organisation's root: rules act on every account."""
    return can(user, "comment.moderate", organisation)


def _require_rules(actor: Actor | None, organisation: Organisation) -> None:
    if not may_edit_rules(actor, organisation):
        raise PermissionDenied("您没有管理本单位评论处理规则的权限。")


def _rule_snapshot(r: ModerationRule) -> dict[str, Any]:
    return {
        "name": r.name,
        "position": r.position,
        "enabled": r.enabled,
        "conditions": r.conditions,
        "actions": r.actions,
        "req": r.req,
    }


def _rule_audit(
    action: AuditAction, r: ModerationRule, actor: Actor | None, before: Any = None
) -> None:
    record(
        action,
        actor=actor if actor is not None else SYSTEM,
        object_type="moderation_rule",
        object_id=r.pk,
        object_repr=r.name,
        organisation_id=r.organisation_id,
        before=before,
        after=_rule_snapshot(r),
    )


def check_rule(conditions: dict[str, Any], actions: list[dict[str, Any]]) -> None:
    """Only the condition and action kinds interaction.rules knows; at least one action."""
    from guanwei.interaction.rules import ACTION_NAMES, CONDITION_KEYS

    unknown = set(conditions) - set(CONDITION_KEYS)
    if unknown:
        raise InvalidChange("规则中有无法识别的条件。")
    lo, hi = conditions.get("min_length"), conditions.get("max_length")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        raise InvalidChange(
            f"最少字数（{lo}）大于最多字数（{hi}），这条规则将永远不会生效，请改正。"
        )
    if not actions:
        raise InvalidChange("请至少选择一个处理动作。")
    for step in actions:
        if step.get("do") not in ACTION_NAMES:
            raise InvalidChange("规则中有无法识别的处理动作。")
        if step["do"] == "label" and not str(step.get("label", "")).strip():
            raise InvalidChange("加标签时请填写标签。")
        if step["do"] == "escalate" and not step.get("roles"):
            raise InvalidChange("上报领导时请选择要通知的角色。")


@transaction.atomic
def save_rule(
    organisation: Organisation,
    *,
    actor: Actor,
    name: str,
    conditions: dict[str, Any],
    actions: list[dict[str, Any]],
    enabled: bool = True,
    rule: ModerationRule | None = None,
) -> ModerationRule:
    """Add a rule (at the end) or change one (W-18)."""
    _require_rules(actor, organisation)
    name = (name or "").strip()[:200]
    if not name:
        raise InvalidChange("请填写规则名称。")
    check_rule(conditions, actions)
    if rule is None:
        last = ModerationRule.objects.filter(organisation=organisation).order_by("-position")
        top = last.values_list("position", flat=True).first() or 0
        r = ModerationRule.objects.create(
            organisation=organisation,
            key=f"custom-{uuid.uuid4().hex[:12]}",
            name=name,
            position=top + 10,
            conditions=conditions,
            actions=actions,
            enabled=enabled,
        )
        _rule_audit(AuditAction.MODERATION_RULE_CREATED, r, actor)
        return r
    r = ModerationRule.objects.select_for_update().get(pk=rule.pk, organisation=organisation)
    before = _rule_snapshot(r)
    r.name, r.conditions, r.actions, r.enabled = name, conditions, actions, enabled
    r.from_pack = False  # the organisation's own now: a pack reload keeps it (decision 0025)
    r.save(update_fields=["name", "conditions", "actions", "enabled", "from_pack"])
    _rule_audit(AuditAction.MODERATION_RULE_CHANGED, r, actor, before)
    return r


@transaction.atomic
def set_rule_enabled(rule: ModerationRule, *, actor: Actor, enabled: bool) -> ModerationRule:
    r = ModerationRule.objects.select_for_update().select_related("organisation").get(pk=rule.pk)
    _require_rules(actor, r.organisation)
    if r.enabled != enabled:
        before = _rule_snapshot(r)
        r.enabled, r.from_pack = enabled, False
        r.save(update_fields=["enabled", "from_pack"])
        _rule_audit(AuditAction.MODERATION_RULE_CHANGED, r, actor, before)
    return r


@transaction.atomic
def move_rule(rule: ModerationRule, *, actor: Actor, up: bool) -> ModerationRule:
    """One place earlier (``up``) or later; positions renumbered 10, 20, … (first match wins)."""
    r = ModerationRule.objects.select_related("organisation").get(pk=rule.pk)
    _require_rules(actor, r.organisation)
    rules = list(
        ModerationRule.objects.select_for_update()
        .filter(organisation_id=r.organisation_id)
        .order_by("position", "id")
    )
    i = next(n for n, x in enumerate(rules) if x.pk == r.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(rules):
        rules[i], rules[j] = rules[j], rules[i]
    for n, x in enumerate(rules):
        if x.position != (n + 1) * 10:
            x.position, x.from_pack = (n + 1) * 10, False
            x.save(update_fields=["position", "from_pack"])
    moved = next(x for x in rules if x.pk == r.pk)
    _rule_audit(AuditAction.MODERATION_RULE_MOVED, moved, actor)
    return moved


# ===================================================================== representative Q&A
# E-05 (第五篇 三(三)6 "回答用户答疑并互动(明文互动,选取有代表性有趣的互动)"): who handles
# an account's comments picks answered public comments as 精选问答 and turns a selection of
# them into a draft post — made by the content room's own ``create_post``, so it is
# screened, reviewed and published like any other post (docs/decisions/0027).

SHOWCASE_SOURCE = "互动台精选问答"
MAX_SHOWCASE_ITEMS = 10


def _pick_refusal(comment: Comment, answer: str | None) -> str:
    """Why ``comment`` cannot be shown publicly as a Q&A ("" when it can)."""
    from guanwei.interaction.models import Source, Visibility

    if comment.source != Source.COMMENT:
        return "私信和提及不公开，不能选为精选问答。"
    if comment.visibility != Visibility.VISIBLE:
        return "已隐藏或已删除的评论不能选为精选问答。"
    if comment.verdict == "block":
        return "筛查结果为不宜公开的评论不能选为精选问答。"
    if not answer:
        return "这条评论还没有答复：答复后才能选为精选问答。"
    return ""


def may_pick(comment: Comment, answer: str | None) -> bool:
    """Whether the item could be picked at all (the inbox shows the button then)."""
    return not _pick_refusal(comment, answer)


@transaction.atomic
def mark_representative(comment: Comment, *, actor: User) -> Comment:
    """选为精选问答: an answered, visible public comment of an account the person handles."""
    from guanwei.interaction.queries import answers_for

    comment = (
        Comment.objects.select_for_update().select_related("unit", "channel").get(pk=comment.pk)
    )
    if not may_handle(actor, comment):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    answer = answers_for([comment]).get(comment.pk)
    refusal = _pick_refusal(comment, answer)
    if refusal:
        raise InvalidChange(refusal)
    if comment.is_representative:
        return comment
    comment.is_representative = True
    comment.save(update_fields=["is_representative"])
    _audit_comment(
        AuditAction.REPRESENTATIVE_MARKED,
        comment,
        actor,
        before={"is_representative": False},
        after={"is_representative": True, "question": comment.text[:200], "answer": answer},
    )
    return comment


@transaction.atomic
def unmark_representative(comment: Comment, *, actor: User) -> Comment:
    """取消精选: no longer shown (a post already made from it stays as it is)."""
    comment = Comment.objects.select_for_update().select_related("unit").get(pk=comment.pk)
    if not may_handle(actor, comment):
        raise PermissionDenied("您没有处理该账号评论的权限。")
    if not comment.is_representative:
        return comment
    comment.is_representative = False
    comment.save(update_fields=["is_representative"])
    _audit_comment(
        AuditAction.REPRESENTATIVE_UNMARKED,
        comment,
        actor,
        before={"is_representative": True},
        after={"is_representative": False},
    )
    return comment


def showcase_category(organisation_id: int) -> str:
    """The pack's category for such a post: the one citing E-05, else one keyed
    ``interaction``, else the first ("" when the pack has none)."""
    categories = rules_for(organisation_id).categories
    for c in categories:
        req = c.get("req") or []
        if "E-05" in ([req] if isinstance(req, str) else req):
            return str(c["key"])
    for c in categories:
        if c["key"] == "interaction":
            return "interaction"
    return str(categories[0]["key"]) if categories else ""


def showcase_body(channel: Channel, pairs: list[tuple[str, str]]) -> str:
    """The post's text: each question and its answer, in the order picked. The asker's
    name is left out (a member of the public is not named in an official post)."""
    blocks = [f"网友问：{q.strip()}\n{channel.name}答：{a.strip()}" for q, a in pairs]
    return "\n\n".join(blocks)


@transaction.atomic
def draft_post_from_representative(
    comments: Iterable[Comment],
    *,
    actor: User,
    title: str,
    category: str = "",
    column: str = "",
) -> Any:
    """生成帖子: a draft post on the account of the picked Q&A (one account), in the
    account's unit, through ``content.actions.create_post`` (which checks ``post.create``
    and the pack's categories and columns). The draft then goes the normal way: edited,
    submitted for review, approved, scheduled."""
    from guanwei.content import actions as content
    from guanwei.interaction.queries import answers_for

    ids = sorted({c.pk for c in comments})
    if not ids:
        raise InvalidChange("请至少勾选一条精选问答。")
    if len(ids) > MAX_SHOWCASE_ITEMS:
        raise InvalidChange(f"一篇稿件最多收入 {MAX_SHOWCASE_ITEMS} 条精选问答。")
    rows = list(
        Comment.objects.select_for_update()
        .select_related("unit", "channel")
        .filter(pk__in=ids)
        .order_by("created_at", "id")
    )
    if len(rows) != len(ids) or len({c.channel_id for c in rows}) != 1:
        raise InvalidChange("一篇稿件只能收入同一个账号的精选问答。")
    for c in rows:
        if not may_handle(actor, c):
            raise PermissionDenied("您没有处理该账号评论的权限。")
        if not c.is_representative:
            raise InvalidChange("只能用已选为精选问答的评论生成稿件。")
    answers = answers_for(rows)
    missing = [c for c in rows if not answers.get(c.pk)]
    if missing:
        raise InvalidChange("有精选问答的答复已不存在，请取消精选后重新选择。")
    for c in rows:  # hidden, deleted or screened since it was picked
        refusal = _pick_refusal(c, answers.get(c.pk))
        if refusal:
            raise InvalidChange(f"“{c.text[:20]}”：{refusal}")
    channel = rows[0].channel
    post = content.create_post(
        channel.unit,
        actor=actor,
        title=(title or "").strip() or f"精选问答（{timezone.localdate():%m月%d日}）",
        body=showcase_body(channel, [(c.text, answers[c.pk]) for c in rows]),
        category=category or showcase_category(channel.organisation_id),
        column=column,
        channels=[channel],
        source=SHOWCASE_SOURCE,
    )
    record(
        AuditAction.REPRESENTATIVE_POST_DRAFTED,
        actor=actor,
        object_type="post",
        object_id=post.pk,
        object_repr=post.title,
        organisation_id=post.organisation_id,
        after={"comments": ids, "channel": channel.key},
    )
    return post
