"""Read-only views of publishing state for pages: the post page's publishing panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.models import Post, PostStatus
from guanwei.orgs.models import User
from guanwei.orgs.permissions import can
from guanwei.publishing.models import PublishIntent
from guanwei.workflow.queries import publishable_revision


def post_intents(post: Post) -> list[PublishIntent]:
    return list(
        PublishIntent.objects.filter(post=post)
        .select_related("channel", "revision")
        .prefetch_related("log")
        .order_by("channel__name", "due_at")
    )


def post_publishing_panel(post: Post, user: User, shared: Mapping[str, Any]) -> dict[str, Any]:
    """Data of the publishing panel on the post page (registered by ``PublishingConfig.ready``):
    the intents with their attempts, and whether ``user`` may schedule or reschedule. The
    publishable revision comes from the review panel when it ran first (computed once)."""
    revision = shared["publishable"] if "publishable" in shared else publishable_revision(post)
    may_schedule = can(user, "post.schedule", post.unit)
    return {
        "intents": post_intents(post),
        "schedule_channels": revision.channels.filter(status=ChannelStatus.ACTIVE)
        if revision
        else Channel.objects.none(),
        "can_schedule": may_schedule and revision is not None,
        "can_reschedule": may_schedule
        and post.status == PostStatus.EXPIRED
        and post.approved_revision_id == post.current_revision_id,
    }
