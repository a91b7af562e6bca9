"""Read-only questions about the interaction desk (no state changes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from guanwei.interaction.models import Activity, ActivityStatus, Feedback
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


# ===================================================================== harm reports


def may_open_reports(user: User, organisation: Organisation) -> bool:
    """The reports page (C-10): who may report there, and the opinion office."""
    from guanwei.interaction import actions

    return actions.may_report_harm(user, organisation) or actions.may_handle_reports(
        user, organisation
    )


# ===================================================================== feedback


def may_open_feedback(user: User, organisation: Organisation) -> bool:
    """The feedback page: who records it (comment.moderate) or reads statistics."""
    return holds_anywhere(user, "comment.moderate", organisation) or holds_anywhere(
        user, "report.view", organisation
    )


def feedback_units(user: User, organisation: Organisation) -> list[int]:
    """The units whose feedback ``user`` reads: where he handles comments or reads
    statistics."""
    from guanwei.orgs.models import Unit
    from guanwei.orgs.permissions import can

    return [
        u.pk
        for u in Unit.objects.filter(organisation=organisation)
        if can(user, "comment.moderate", u) or can(user, "report.view", u)
    ]


def feedback_for(user: User, organisation: Organisation) -> QuerySet[Feedback]:
    return Feedback.objects.filter(
        organisation=organisation, unit_id__in=feedback_units(user, organisation)
    ).select_related("channel", "unit", "created_by")


@dataclass(frozen=True)
class TallyRow:
    month: str  # 2026-12
    account: str
    topic: str
    count: int
    satisfaction: float | None  # the mean of the stated ones


def feedback_tally(rows: QuerySet[Feedback]) -> list[TallyRow]:
    """Per month (local time), account and topic: how many, and the mean satisfaction."""
    from django.db.models import Avg, Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    grouped = (
        rows.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "channel__name", "unit__name", "topic")
        .annotate(n=Count("id"), mean=Avg("satisfaction"))
        .order_by("-month", "channel__name", "topic")
    )
    return [
        TallyRow(
            month=f"{g['month']:%Y-%m}",
            account=g["channel__name"] or g["unit__name"],
            topic=g["topic"] or "未分类",
            count=g["n"],
            satisfaction=round(float(g["mean"]), 2) if g["mean"] is not None else None,
        )
        for g in grouped
    ]
