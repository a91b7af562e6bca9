"""Read-only views of publishing state for pages: the post page's publishing panel, the
dashboard's failed sends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.models import Post, PostStatus
from guanwei.orgs.models import Organisation, User
from guanwei.orgs.permissions import can
from guanwei.publishing.models import OPEN_STATUSES, IntentStatus, PublishIntent
from guanwei.workflow.queries import publishable_revision


def post_intents(post: Post) -> list[PublishIntent]:
    return list(
        PublishIntent.objects.filter(post=post)
        .select_related("channel", "revision")
        .prefetch_related("log")
        .order_by("channel__name", "due_at")
    )


SETTLING = (
    IntentStatus.CLAIMED,
    IntentStatus.SENDING,
    IntentStatus.REMOTE_PENDING,
    IntentStatus.RETRY,
    IntentStatus.UNKNOWN,
)
SOON = timedelta(minutes=2)  # a scheduled send this close is watched as it goes out


def post_progress(post: Post, *, may_schedule: bool) -> dict[str, Any]:
    """The post's intents as the live fragment shows them: ``live`` while a send is under
    way (or due within two minutes), so the page keeps polling; ``retryable``: failed sends
    of the approved version not sent again since (重新发布 for those who may schedule)."""
    intents = post_intents(post)
    soon = timezone.now() + SOON
    live = any(
        i.status in SETTLING or (i.status == IntentStatus.SCHEDULED and i.due_at <= soon)
        for i in intents
    )
    again = {i.channel_id for i in intents if i.status in (IntentStatus.PUBLISHED, *OPEN_STATUSES)}
    retryable = {
        i.pk
        for i in intents
        if may_schedule
        and i.status == IntentStatus.FAILED
        and i.revision_id == post.approved_revision_id
        and i.channel_id not in again
    }
    return {"intents": intents, "live": live, "retryable": retryable}


def post_publishing_panel(post: Post, user: User, shared: Mapping[str, Any]) -> dict[str, Any]:
    """Data of the publishing panel on the post page (registered by ``PublishingConfig.ready``):
    the intents with their attempts, and whether ``user`` may schedule or reschedule. The
    publishable revision comes from the review panel when it ran first (computed once)."""
    revision = shared["publishable"] if "publishable" in shared else publishable_revision(post)
    may_schedule = can(user, "post.schedule", post.unit)
    progress = post_progress(post, may_schedule=may_schedule)
    # Only what the person can do now: no schedule form beside a send that is under way or
    # waiting (its row offers 立即发布 / 取消); it returns once the send failed or was
    # cancelled, for the accounts with nothing open or published.
    busy = {
        i.channel_id
        for i in progress["intents"]
        if i.status in OPEN_STATUSES
        or (
            i.status == IntentStatus.PUBLISHED
            and revision is not None
            and i.revision_id == revision.pk
        )
    }
    channels = (
        revision.channels.filter(status=ChannelStatus.ACTIVE).exclude(pk__in=busy)
        if revision and not any(i.status in OPEN_STATUSES for i in progress["intents"])
        else Channel.objects.none()
    )
    return {
        **progress,
        "may_schedule": may_schedule,
        "schedule_channels": channels,
        "can_schedule": may_schedule and revision is not None and channels.exists(),
        "can_reschedule": may_schedule
        and post.status == PostStatus.EXPIRED
        and post.approved_revision_id == post.current_revision_id
        and not any(i.status in OPEN_STATUSES for i in progress["intents"]),
    }


RECENT = timedelta(days=7)


def failed_sends(user: User, organisation: Organisation, *, limit: int = 20) -> list[PublishIntent]:
    """Sends of the last week that failed for good and were not sent again since, on
    accounts whose sends the person may schedule (and so retry): the dashboard's list."""
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
