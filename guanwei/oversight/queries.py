"""Read-only views of oversight state: who may issue or make a correction (W-11), the
post page's corrections panel (registered by ``OversightConfig.ready``), and the deadlines a
person answers for (the dashboard)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists
from django.utils import timezone

from guanwei.content.models import Post, PostStatus
from guanwei.orgs.models import Membership, Organisation, User
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.oversight.models import Deadline, DeadlineKind, owed_q

DEFAULT_ISSUERS = ("info_officer", "supervising_leader")


def correction_rule(organisation_id: int) -> dict[str, Any]:
    """The pack's deadline rule for corrections (``trigger = "correction_issued"``)."""
    return next(
        (
            d
            for d in rules_for(organisation_id).extra("deadlines")
            if d.get("trigger") == "correction_issued"
        ),
        {},
    )


def may_issue_correction(user: User, post: Post) -> bool:
    """W-11: the pack's issuer roles (information officer, leader) of a unit of the pack's
    ``from_unit_type`` (the Observatory) that provided material for this published post."""
    if post.status != PostStatus.PUBLISHED or post.corrects_id is not None:
        return False
    rule = correction_rule(post.organisation_id)
    if not rule:  # issue #10 §2: only where the pack has W-11's correction rule
        return False
    memberships = Membership.objects.filter(
        user=user,
        revoked_at__isnull=True,
        role__in=list(rule.get("issuer_roles") or DEFAULT_ISSUERS),  # the pack's, else W-11's
        unit__submissions__post=post,
    )
    if rule.get("from_unit_type"):
        memberships = memberships.filter(unit__unit_type=rule["from_unit_type"])
    return memberships.exists()


def may_make_correction(user: User, deadline: Deadline) -> bool:
    """做订正: a writer of the publishing unit, while the correction is still owed."""
    return (
        deadline.kind == DeadlineKind.CORRECTION
        and deadline.post is not None
        and deadline.owed
        and not Post.objects.filter(corrects=deadline.post, created__gte=deadline.starts_at)
        .exclude(status=PostStatus.WITHDRAWN)
        .exists()
        and can(user, "post.create", deadline.post.unit)
    )


def correction_of(deadline: Deadline) -> Post | None:
    """The correction post made for this notice, if any."""
    if deadline.post_id is None:
        return None
    return (
        Post.objects.filter(corrects_id=deadline.post_id, created__gte=deadline.starts_at)
        .exclude(status=PostStatus.WITHDRAWN)
        .order_by("created")
        .first()
    )


def post_corrections_panel(post: Post, user: User, shared: Mapping[str, Any]) -> dict[str, Any]:
    """The corrections panel: on a published post, the notices issued on it (each with its
    countdown, the corrected text, the correction made for it and 做订正 for those who may)
    and the form to issue one (for the Observatory only); on a correction, the notice it
    answers."""
    original = post.corrects if post.corrects_id else post
    notices = list(
        Deadline.objects.filter(kind=DeadlineKind.CORRECTION, post=original)
        .select_related("issued_by", "post__unit")
        .order_by("-starts_at")
    )
    rows = [
        {
            "deadline": d,
            "correction": correction_of(d),
            "may_make": may_make_correction(user, d),
        }
        for d in notices
    ]
    return {
        "correction_notices": rows,
        "may_issue_correction": may_issue_correction(user, post),
        "correction_minutes": correction_rule(post.organisation_id).get("minutes", 10),
    }


HORIZON = timedelta(hours=24)


@dataclass(frozen=True)
class MyDeadline:
    deadline: Deadline
    owner: bool  # the person must do it (else they are told when it runs late)
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(0, self.seconds_left // 60)

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0


def deadlines_for(
    user: User, organisation: Organisation, *, now: datetime | None = None
) -> list[MyDeadline]:
    """Owed deadlines of the organisation due within a day (or overdue and still owed: a
    breached correction stays until it is published, W-11) that name the person as an
    owner or as someone to escalate to; soonest first."""
    now = now or timezone.now()
    rows = (
        Deadline.objects.filter(owed_q(), organisation=organisation, due_at__lte=now + HORIZON)
        .select_related("channel", "post")
        .order_by("due_at", "id")[:500]
    )
    out = []
    for d in rows:
        owner = user.pk in (d.owner_ids or [])
        if owner or user.pk in (d.escalate_ids or []):
            out.append(MyDeadline(d, owner, int((d.due_at - now).total_seconds())))
    return out


def deadline_in(key: Any, statuses: tuple[str, ...]) -> Exists:
    """Whether the deadline whose key is ``key`` — an expression of the caller's query, built
    from an ``OuterRef`` — is in one of ``statuses``: another room counts its rows' met and
    breached deadlines in one query of its own (W-20's 互动统计: questions answered on time
    and late) and never touches these rows."""
    return Exists(Deadline.objects.filter(key=key, status__in=list(statuses)))
