"""What the bell, the notices page and the API read: one person's own notices only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from guanwei.notify.models import Notice
from guanwei.orgs.models import User

PAGE = 50


def unread_count(user: User) -> int:
    """The bell's number: one indexed COUNT on (user, read_at)."""
    return Notice.objects.filter(user=user, read_at=None).count()


def notices_for(
    user: User,
    *,
    unread_only: bool = False,
    before: tuple[datetime, int] | None = None,
    limit: int = PAGE,
) -> list[Notice]:
    """Newest first, keyset-paged on (created, id)."""
    qs = Notice.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at=None)
    if before:
        qs = qs.filter(Q(created__lt=before[0]) | Q(created=before[0], id__lt=before[1]))
    return list(qs.order_by("-created", "-id")[:limit])
