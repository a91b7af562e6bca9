"""Read-only queries of the publishing room: failed sends a person may act on."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from guanwei.orgs.models import Organisation, User
from guanwei.orgs.permissions import can
from guanwei.publishing.models import OPEN_STATUSES, IntentStatus, PublishIntent

RECENT = timedelta(days=7)


def failed_sends(user: User, organisation: Organisation, *, limit: int = 20) -> list[PublishIntent]:
    """Sends of the last week that failed for good and were not sent again since, on
    accounts whose sends the person may schedule (and so retry)."""
    later = PublishIntent.objects.filter(
        post=OuterRef("post"),
        channel=OuterRef("channel"),
        created__gt=OuterRef("created"),
        status__in=[IntentStatus.PUBLISHED, *OPEN_STATUSES],
    )
    rows = (
        PublishIntent.objects.filter(
            organisation=organisation,
            status=IntentStatus.FAILED,
            created__gte=timezone.now() - RECENT,
        )
        .exclude(Exists(later))
        .select_related("post", "channel", "unit")
        .order_by("-created", "-id")[: limit * 5]
    )
    allowed: dict[int, bool] = {}
    out = []
    for intent in rows:
        if intent.unit_id not in allowed:
            allowed[intent.unit_id] = can(user, "post.schedule", intent.unit)
        if allowed[intent.unit_id]:
            out.append(intent)
        if len(out) == limit:
            break
    return out
