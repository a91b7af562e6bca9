"""Read-only questions about the interaction desk (no state changes here)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from guanwei.interaction.models import Activity, ActivityStatus
from guanwei.orgs.models import Organisation, User
from guanwei.orgs.permissions import holds_anywhere

# ===================================================================== activities


def activity_for(channel_id: int, moment: datetime) -> Activity | None:
    """The activity that ran on the account at ``moment`` (started, and not finished
    before it): what the ingest pipeline tags a comment fetched then with (W-08)."""
    return (
        Activity.objects.filter(
            channel_id=channel_id,
            status__in=(ActivityStatus.RUNNING, ActivityStatus.FINISHED),
            started_at__lte=moment,
        )
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=moment))
        .order_by("-started_at", "-id")
        .first()
    )


def may_open_activities(user: User, organisation: Organisation) -> bool:
    """The activities page: who plans them (writes posts) or approves them."""
    return holds_anywhere(user, "post.create", organisation) or holds_anywhere(
        user, "activity.approve", organisation
    )


def activities_for(user: User, organisation: Organisation) -> QuerySet[Activity]:
    """The organisation's activities ``user`` may see (the access rule, row by row)."""
    from guanwei.orgs.access import may_see

    rows = Activity.objects.filter(organisation=organisation).select_related("channel", "unit")
    ids = [a.pk for a in rows if may_see(user, a)]
    return rows.filter(pk__in=ids).prefetch_related("steps")
