"""Deadline actions (REQ W-06, W-10, W-11, C-05): each checks permission, changes the row
by a conditional UPDATE (the scheduler and a person may race), writes the audit record."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.content.models import Post
from guanwei.notify.actions import notify
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import Membership, Unit, User
from guanwei.orgs.permissions import can
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus

CORRECTION_MINUTES = 10  # W-11: replace within 10 minutes of the Observatory's issue
CORRECTION_ESCALATE_MINUTES = 5


def _audit(deadline: Deadline, action: AuditAction, actor: User | None, **after: Any) -> None:
    record(
        action,
        actor=actor,
        object_type="deadline",
        object_id=deadline.pk,
        object_repr=deadline.title,
        organisation_id=deadline.organisation_id,
        after={"kind": deadline.kind, "due_at": deadline.due_at.isoformat(), **after},
    )


def create_deadline(**fields: Any) -> Deadline | None:
    """Create once (the key is unique); None when it already exists."""
    try:
        with transaction.atomic():
            deadline = Deadline.objects.create(**fields)
            _audit(deadline, AuditAction.DEADLINE_CREATED, None, key=deadline.key)
            return deadline
    except IntegrityError:
        return None


@transaction.atomic
def close_deadline(
    deadline: Deadline, status: str, *, actor: User | None = None, evidence: str = ""
) -> bool:
    now = timezone.now()
    won = Deadline.objects.filter(pk=deadline.pk, status=DeadlineStatus.OPEN).update(
        status=status, closed_at=now, evidence=evidence[:300]
    )
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
    )
    if status == DeadlineStatus.BREACHED:
        notify(
            [*deadline.owner_ids, *deadline.escalate_ids],
            organisation_id=deadline.organisation_id,
            title=f"超时：{deadline.title}",
            body=f"应于 {timezone.localtime(deadline.due_at):%H:%M} 前完成。",
            link=f"/oversight/deadlines/#d{deadline.pk}",
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
            link=f"/oversight/deadlines/#d{deadline.pk}",
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
            link=f"/oversight/deadlines/#d{deadline.pk}",
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
    post: Post, *, actor: User, issued_at: datetime | None = None, note: str = ""
) -> Deadline:
    """The Observatory issues a correction of a published forecast (W-11): the publishing
    unit must publish the corrected forecast within 10 minutes; escalation at 5."""
    observatory_roles = Membership.objects.filter(
        user=actor,
        revoked_at__isnull=True,
        unit__organisation_id=post.organisation_id,
        unit__unit_type="observatory",
    )
    if not observatory_roles.exists() and not can(actor, "post.review", post.unit):
        raise PermissionDenied("只有气象台可以发布订正通知。")
    if post.status != "published":
        raise InvalidChange("只能订正已发布的预报。")
    issued_at = issued_at or timezone.now()
    editors = _holders(post.unit, ["publisher", "editor"])
    leaders = _holders(post.unit, ["supervising_leader"])
    deadline = Deadline.objects.create(
        organisation_id=post.organisation_id,
        unit=post.unit,
        kind=DeadlineKind.CORRECTION,
        key=f"correction:{post.pk}:{issued_at.isoformat()}",
        title=f"订正《{post.title}》",
        post=post,
        starts_at=issued_at,
        due_at=issued_at + timedelta(minutes=CORRECTION_MINUTES),
        escalate_at=issued_at + timedelta(minutes=CORRECTION_ESCALATE_MINUTES),
        owner_ids=sorted(set(editors) | {post.created_by_id}),
        escalate_ids=leaders,
        req="W-11",
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
            "note": note,
        },
    )
    notify(
        deadline.owner_ids,
        organisation_id=post.organisation_id,
        title=f"气象台发布订正：《{post.title}》",
        body=f"请在 {timezone.localtime(deadline.due_at):%H:%M} 前发布订正后的预报。{note}",
        link=f"/content/posts/{post.pk}/",
    )
    return deadline


@transaction.atomic
def mark_syndicated(deadline: Deadline, *, actor: User, link: str) -> bool:
    """A county / departmental account reposted or linked the source post (W-06, C-05)."""
    if deadline.kind != DeadlineKind.SYNDICATION:
        raise InvalidChange("这不是转发义务。")
    if deadline.channel is None or not (
        can(actor, "post.publish", deadline.channel)
        or can(actor, "post.schedule", deadline.channel)
    ):
        raise PermissionDenied("只有该账号的发布人员可以登记转发。")
    link = link.strip()
    if not link:
        raise InvalidChange("请填写转发后的链接。")
    done = close_deadline(deadline, DeadlineStatus.MET, actor=actor, evidence=link)
    if done:
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
