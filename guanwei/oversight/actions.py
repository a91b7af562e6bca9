"""Deadline actions (REQ W-06, W-10, W-11, C-05): each checks permission, changes the row
by a conditional UPDATE (the scheduler and a person may race), writes the audit record."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from guanwei.audit.actions import record, record_many
from guanwei.audit.events import AuditAction
from guanwei.bulk import insert_many
from guanwei.content.models import Post
from guanwei.notify.actions import notify
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import Membership, Unit, User
from guanwei.orgs.permissions import SYSTEM, Actor
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.oversight.queries import (
    DEFAULT_ISSUERS,
    correction_rule,
    may_issue_correction,
    may_make_correction,
)

CORRECTION_MINUTES = 10  # W-11: replace within 10 minutes of the Observatory's issue
CORRECTION_ESCALATE_MINUTES = 5


def _audit(deadline: Deadline, action: AuditAction, actor: Actor | None, **after: Any) -> None:
    record(
        action,
        actor=actor,
        object_type="deadline",
        object_id=deadline.pk,
        object_repr=deadline.title,
        organisation_id=deadline.organisation_id,
        after={"kind": deadline.kind, "due_at": deadline.due_at.isoformat(), **after},
    )


def fit_title(text: str) -> str:
    """A deadline's title made from a post's or an account's name fits its column (200):
    cut with an ellipsis (PostgreSQL refuses a longer value; SQLite kept it silently)."""
    width = Deadline._meta.get_field("title").max_length or 200
    return text if len(text) <= width else text[: width - 1] + "…"


def create_deadline(**fields: Any) -> Deadline | None:
    """Create once (the key is unique); None when it already exists — found by a read
    first, so a repeated pass does not fail an INSERT (the IntegrityError is left for a
    race between two passes)."""
    if Deadline.objects.filter(key=fields["key"]).exists():
        return None
    fields["title"] = fit_title(fields["title"])
    try:
        with transaction.atomic():
            deadline = Deadline.objects.create(**fields)
            _audit(deadline, AuditAction.DEADLINE_CREATED, None, key=deadline.key)
            return deadline
    except IntegrityError:
        return None


def create_deadlines(
    rows: list[dict[str, Any]], *, audit: list[dict[str, Any]] | None = None
) -> list[Deadline]:
    """``create_deadline`` for many (a batch of questions, each with its reply deadline):
    one read of the keys already there, one INSERT, one append to the audit chain (or the
    records appended to ``audit``, for the caller to write with its own). Those
    whose key exists are skipped; a racing pass's row (the unique key) sends the batch to
    ``create_deadline`` one by one, in a savepoint each."""
    if not rows:
        return []
    have = set(
        Deadline.objects.filter(key__in=[r["key"] for r in rows]).values_list("key", flat=True)
    )
    fresh: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["key"] not in have:
            fresh.setdefault(r["key"], {**r, "title": fit_title(r["title"])})
    if not fresh:
        return []
    try:
        with transaction.atomic():
            made = insert_many(Deadline, [Deadline(**f) for f in fresh.values()])
            records = [
                {
                    "action": AuditAction.DEADLINE_CREATED,
                    "actor": None,
                    "object_type": "deadline",
                    "object_id": d.pk,
                    "object_repr": d.title,
                    "organisation_id": d.organisation_id,
                    "after": {"kind": d.kind, "due_at": d.due_at.isoformat(), "key": d.key},
                }
                for d in made
            ]
            if audit is None:
                record_many(records)
            else:
                audit.extend(records)
            return made
    except IntegrityError:
        return [d for f in fresh.values() if (d := create_deadline(**f)) is not None]


@transaction.atomic
def close_deadline(
    deadline: Deadline,
    status: str,
    *,
    actor: Actor | None = None,
    evidence: str = "",
    extra: dict[str, Any] | None = None,
) -> bool:
    """Close an open deadline as met or breached — or a correction that breached while
    still owed (W-11), which closes only when its correction is published; the people were
    told of the breach then, so they are not told again."""
    now = timezone.now()
    fields = {"status": status, "closed_at": now, "evidence": evidence[:300]}
    won = Deadline.objects.filter(pk=deadline.pk, status=DeadlineStatus.OPEN).update(**fields)
    was_breached = False
    if won != 1:
        won = Deadline.objects.filter(
            pk=deadline.pk,
            kind=DeadlineKind.CORRECTION,
            status=DeadlineStatus.BREACHED,
            closed_at__isnull=True,
        ).update(**fields)
        was_breached = True
    if won != 1:
        return False
    deadline.refresh_from_db()
    _audit(
        deadline,
        AuditAction.DEADLINE_MET if status == DeadlineStatus.MET else AuditAction.DEADLINE_BREACHED,
        actor,
        status=status,
        evidence=evidence,
        late_seconds=max(0, int((now - deadline.due_at).total_seconds())),
        **({"closed": True} if was_breached else {}),
        **(extra or {}),
    )
    if status == DeadlineStatus.BREACHED and not was_breached:
        notify(
            [*deadline.owner_ids, *deadline.escalate_ids],
            organisation_id=deadline.organisation_id,
            title=f"超时：{deadline.title}",
            body=f"应于 {timezone.localtime(deadline.due_at):%H:%M} 前完成。",
            link=f"/oversight/deadlines/?d={deadline.pk}#d{deadline.pk}",
        )
    return True


@transaction.atomic
def reopen_deadline(deadline: Deadline, *, evidence: str) -> bool:
    """A quota met ahead by scheduled posts (E-04 时光机) whose count fell below the
    minimum before its period ended (a post cancelled or moved to another day): it is
    open again, audited, with the count as evidence. Only a met deadline still running."""
    won = Deadline.objects.filter(
        pk=deadline.pk,
        kind=DeadlineKind.QUOTA,
        status=DeadlineStatus.MET,
        due_at__gt=timezone.now(),
    ).update(status=DeadlineStatus.OPEN, closed_at=None, evidence=evidence[:300])
    if won != 1:
        return False
    deadline.refresh_from_db()
    _audit(deadline, AuditAction.DEADLINE_REOPENED, None, status="open", evidence=evidence)
    return True


def _issuers(deadline: Deadline) -> list[int]:
    """Who hears how a correction notice goes (W-11): the person who issued it and the
    other holders of the pack's issuer roles in the unit they issued it for (the
    Observatory whose material the post was made from)."""
    if deadline.kind != DeadlineKind.CORRECTION or deadline.issued_by_id is None:
        return []
    post = deadline.post
    roles = list(correction_rule(deadline.organisation_id).get("issuer_roles") or DEFAULT_ISSUERS)
    units = Membership.objects.filter(
        user_id=deadline.issued_by_id,
        revoked_at__isnull=True,
        role__in=roles,
        unit__submissions__post=post,
    ).values_list("unit_id", flat=True)
    people = Membership.objects.filter(
        unit_id__in=list(units), role__in=roles, revoked_at__isnull=True
    ).values_list("user_id", flat=True)
    return [deadline.issued_by_id, *people]


def _tell_issuers(deadline: Deadline, *, title: str, body: str) -> None:
    notify(
        _issuers(deadline),
        organisation_id=deadline.organisation_id,
        title=title,
        body=body,
        link=f"/content/posts/{deadline.post_id}/#corrections",
    )


@transaction.atomic
def correction_overdue(deadline: Deadline) -> bool:
    """A correction notice past its time with no correction out (W-11): it breaches — on
    record, the publishing unit and its leader are told, so is the Observatory — but stays
    owed (not closed) until the correction is published, so it stays on the task list."""
    won = Deadline.objects.filter(
        pk=deadline.pk, kind=DeadlineKind.CORRECTION, status=DeadlineStatus.OPEN
    ).update(status=DeadlineStatus.BREACHED)
    if won != 1:
        return False
    deadline.refresh_from_db()
    due = f"{timezone.localtime(deadline.due_at):%H:%M}"
    _audit(deadline, AuditAction.DEADLINE_BREACHED, None, status="breached", owed=True)
    notify(
        [*deadline.owner_ids, *deadline.escalate_ids],
        organisation_id=deadline.organisation_id,
        title=f"超时：{deadline.title}",
        body=f"应于 {due} 前发布订正稿，现已超时，仍须尽快发布。",
        link=f"/content/posts/{deadline.post_id}/#corrections",
    )
    _tell_issuers(
        deadline,
        title=f"订正超时：{deadline.title}",
        body=f"发布单位未在 {due} 前发布订正稿，已通知其领导，订正仍在进行。",
    )
    return True


@transaction.atomic
def remind(deadline: Deadline, *, text: str) -> bool:
    won = Deadline.objects.filter(
        pk=deadline.pk, status=DeadlineStatus.OPEN, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    if won:
        notify(
            deadline.owner_ids,
            organisation_id=deadline.organisation_id,
            title=f"提醒：{deadline.title}",
            body=text,
            link=f"/oversight/deadlines/?d={deadline.pk}#d{deadline.pk}",
        )
    return bool(won)


@transaction.atomic
def escalate(deadline: Deadline) -> bool:
    won = Deadline.objects.filter(
        pk=deadline.pk, status=DeadlineStatus.OPEN, escalated_at__isnull=True
    ).update(escalated_at=timezone.now())
    if won:
        _audit(deadline, AuditAction.DEADLINE_ESCALATED, None)
        notify(
            deadline.escalate_ids,
            organisation_id=deadline.organisation_id,
            title=f"督办：{deadline.title}",
            body=f"距时限 {timezone.localtime(deadline.due_at):%H:%M} 已不足，尚未完成。",
            link=f"/oversight/deadlines/?d={deadline.pk}#d{deadline.pk}",
        )
        _tell_issuers(
            deadline,
            title=f"督办：{deadline.title}",
            body=(
                f"发布单位尚未发布订正稿（时限 {timezone.localtime(deadline.due_at):%H:%M}），"
                "已提醒其领导督办。"
            ),
        )
    return bool(won)


def _holders(unit: Unit, roles: list[str]) -> list[int]:
    return list(
        Membership.objects.filter(unit=unit, role__in=roles, revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def issue_correction(
    post: Post, *, actor: User, text: str, issued_at: datetime | None = None
) -> Deadline:
    """The Observatory issues a correction notice on a published forecast made from its
    material (W-11): the notice names the post and carries the corrected text; the
    publishing unit gets it as a task (an in-app notice and a deadline of the pack's
    minutes, 10; escalation to the pack's roles after 5). Only the pack's issuer roles
    (information officer, leader) of the providing unit may issue it."""
    rule = correction_rule(post.organisation_id)
    if not may_issue_correction(actor, post):
        raise PermissionDenied("只有提供该信息的气象台信息员或领导可以发布订正通知。")
    text = (text or "").strip()
    if not text:
        raise InvalidChange("请填写订正后的内容。")
    issued_at = issued_at or timezone.now()
    minutes = int(rule.get("minutes") or CORRECTION_MINUTES)
    escalate_after = int(rule.get("escalate_after_minutes") or CORRECTION_ESCALATE_MINUTES)
    editors = _holders(post.unit, ["publisher", "editor"])
    leaders = _holders(post.unit, list(rule.get("escalate_to") or ["supervising_leader"]))
    deadline = Deadline.objects.create(
        organisation_id=post.organisation_id,
        unit=post.unit,
        kind=DeadlineKind.CORRECTION,
        key=f"correction:{post.pk}:{issued_at.isoformat()}",
        title=fit_title(f"订正《{post.title}》"),
        post=post,
        starts_at=issued_at,
        due_at=issued_at + timedelta(minutes=minutes),
        escalate_at=issued_at + timedelta(minutes=escalate_after),
        owner_ids=sorted(set(editors) | {post.created_by_id}),
        escalate_ids=leaders,
        req="W-11",
        detail=text,
        issued_by=actor,
    )
    record(
        AuditAction.CORRECTION_ISSUED,
        actor=actor,
        object_type="post",
        object_id=post.pk,
        object_repr=post.title,
        organisation_id=post.organisation_id,
        after={
            "deadline": deadline.pk,
            "issued_at": issued_at.isoformat(),
            "due_at": deadline.due_at.isoformat(),
            "text": text,
            "original": rule.get("original") or {},
        },
    )
    notify(
        deadline.owner_ids,
        organisation_id=post.organisation_id,
        title=f"气象台发布订正：《{post.title}》",
        body=(
            f"请在 {timezone.localtime(deadline.due_at):%H:%M} 前发布订正稿。订正后的内容：{text}"
        ),
        link=f"/content/posts/{post.pk}/#corrections",
    )
    return deadline


def make_correction(deadline: Deadline, *, actor: User, **fields: Any) -> tuple[Post, str]:
    """做订正 (W-11): a new post in the publishing unit that corrects the original (a
    published post is never revised), submitted at once to the pack's correction chain
    (fast, still screened and approved). Returns the post and, when the submission was
    refused (e.g. screening blocked it), the reason — the post is kept as a draft then."""
    from guanwei.content import actions as content_actions
    from guanwei.orgs.errors import DomainError
    from guanwei.workflow import actions as workflow_actions

    original = deadline.post
    if deadline.kind != DeadlineKind.CORRECTION or original is None:
        raise InvalidChange("这不是订正任务。")
    if not deadline.owed:
        raise InvalidChange("该订正任务已经完成。")
    if not may_make_correction(actor, deadline):
        raise PermissionDenied("只有发布单位的编辑或发布人员可以做订正。")
    fields.pop("planned_at", None)  # a correction goes out as soon as it is approved
    post = content_actions.create_post(original.unit, actor=actor, corrects=original, **fields)
    try:
        workflow_actions.submit_for_review(post, actor=actor)
    except DomainError as e:
        return post, e.message
    return post, ""


@transaction.atomic
def correction_published(deadline: Deadline, *, correction: Post, at: datetime) -> bool:
    """The correction is out on every account it was sent to: the deadline closes, met
    when in time, with the minutes taken on record (W-11)."""
    seconds = max(0.0, (at - deadline.starts_at).total_seconds())
    minutes = round(seconds / 60, 1)
    status = DeadlineStatus.MET if at <= deadline.due_at else DeadlineStatus.BREACHED
    closed = close_deadline(
        deadline,
        status,
        evidence=(
            f"订正稿《{correction.title}》于 {timezone.localtime(at):%H:%M} 发布，"
            f"用时 {minutes:g} 分钟"
        ),
        extra={"minutes_taken": minutes, "correction": correction.pk},
    )
    if closed:
        how = "按时完成" if status == DeadlineStatus.MET else "超时完成"
        _tell_issuers(
            deadline,
            title=f"订正已发布：{deadline.title}",
            body=f"订正稿《{correction.title}》已发布，{how}，用时 {minutes:g} 分钟。",
        )
    return closed


def retract_corrected_original(correction: Post) -> int:
    """W-11: the correction is out; where the pack's correction rule says
    ``original = { <platform> = "delete" }``, the original is queued for deletion on those
    platforms (publishing's action; the dispatcher makes the call). ``keep`` and
    ``comment`` do nothing here. Returns how many accounts were queued."""
    from guanwei.oversight import queries
    from guanwei.publishing.actions import retract_original

    if correction.corrects_id is None:
        return 0
    wanted = queries.correction_rule(correction.organisation_id).get("original") or {}
    platforms = [p for p, what in wanted.items() if what == "delete"]
    if not platforms:
        return 0
    try:
        return len(retract_original(correction, platforms=platforms, actor=SYSTEM))
    except InvalidChange:  # not out yet everywhere: the next publication asks again
        return 0


def may_mark_syndicated(deadline: Deadline, actor: User) -> bool:
    """C-05: who may confirm a repost duty — a publisher of the duty's own account (pages
    offer the 已转发 form to them only)."""
    from guanwei.channels.scope import may_publish_on

    # the rule of who publishes on an account (C-09, T-01): held in its unit, not reached
    # by a wider scope from another
    return (
        deadline.kind == DeadlineKind.SYNDICATION
        and deadline.channel is not None
        and may_publish_on(actor, deadline.channel)
    )


@transaction.atomic
def mark_syndicated(deadline: Deadline, *, actor: User, link: str) -> bool:
    """A county / departmental account reposted or linked the source post (W-06, C-05)."""
    if deadline.kind != DeadlineKind.SYNDICATION:
        raise InvalidChange("这不是转发义务。")
    if not may_mark_syndicated(deadline, actor):
        raise PermissionDenied("只有该账号的发布人员可以登记转发。")
    link = link.strip()
    if not link:
        raise InvalidChange("请填写转发后的链接。")
    done = close_deadline(deadline, DeadlineStatus.MET, actor=actor, evidence=link)
    if done:
        # C-05: a twin of this duty made before duties were one per post and account
        # (one per source account) is the same duty: it is met by the same repost.
        twins = Deadline.objects.filter(
            kind=DeadlineKind.SYNDICATION, status=DeadlineStatus.OPEN, post=deadline.post
        )
        for twin in twins.filter(channel=deadline.channel).exclude(pk=deadline.pk):
            close_deadline(twin, DeadlineStatus.MET, actor=actor, evidence=link)
        record(
            AuditAction.SYNDICATION_DONE,
            actor=actor,
            object_type="deadline",
            object_id=deadline.pk,
            object_repr=deadline.title,
            organisation_id=deadline.organisation_id,
            after={"link": link},
        )
    return done
