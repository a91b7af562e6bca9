"""Read-only queries of the oversight room: the deadlines a person answers for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from guanwei.orgs.models import Organisation, User
from guanwei.oversight.models import Deadline, DeadlineStatus

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
    """Open deadlines of the organisation due within a day (or overdue and still open) that
    name the person as an owner or as someone to escalate to; soonest first."""
    now = now or timezone.now()
    rows = (
        Deadline.objects.filter(
            organisation=organisation, status=DeadlineStatus.OPEN, due_at__lte=now + HORIZON
        )
        .select_related("channel", "post")
        .order_by("due_at", "id")[:500]
    )
    out = []
    for d in rows:
        owner = user.pk in (d.owner_ids or [])
        if owner or user.pk in (d.escalate_ids or []):
            out.append(MyDeadline(d, owner, int((d.due_at - now).total_seconds())))
    return out
