"""Comments into the room (W-18, W-19): screen a batch with the organisation's engine
(``kind=comment``), triage it (``interaction.triage``), store the new ones (a comment
already stored is skipped: unique per account, source and remote id), then let the
moderation rules act on what was stored (``interaction.rules.apply_many``), then each
question goes to its expert with its reply deadline (``interaction.experts.route_new``).

:func:`prepare` does the work that needs no database lock (screening, triage) so that the
fetcher holds its transaction only for :func:`store`; :func:`ingest` does both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanwei.channels.models import Channel
from guanwei.interaction import experts, rules, triage
from guanwei.interaction.models import Activity, ActivityStatus, Comment
from guanwei.publishing.adapters.base import RemoteComment
from guanwei.publishing.models import PublishIntent
from guanwei.screening.service import engine_for


def prepare(
    channel: Channel,
    intent: PublishIntent | None,
    source: str,
    remote_comments: Sequence[RemoteComment],
    *,
    now: datetime | None = None,
) -> list[Comment]:
    """Unsaved comments, screened and triaged in one batch each (duplicates in the
    batch dropped, the first kept)."""
    seen: dict[str, RemoteComment] = {}
    for rc in remote_comments:
        if rc.remote_id and rc.remote_id not in seen:
            seen[rc.remote_id] = rc
    batch = list(seen.values())
    if not batch:
        return []
    texts = [rc.text for rc in batch]
    organisation = channel.organisation
    results = engine_for(organisation).screen_many(texts, kind="comment")
    triaged = triage.classify_many(organisation.pk, texts)
    fetched_at = now or timezone.now()
    during = _activities(channel, [rc.created_at or fetched_at for rc in batch])
    return [
        Comment(
            organisation_id=channel.organisation_id,
            unit_id=channel.unit_id,
            channel_id=channel.pk,
            intent_id=intent.pk if intent else None,
            post_id=intent.post_id if intent else None,
            source=source,
            remote_id=rc.remote_id,
            remote_post_id=rc.post_id,
            reply_to=rc.reply_to,
            author_id=rc.author_id[:128],
            author_name=rc.author[:200],
            text=rc.text,
            created_at=rc.created_at,
            fetched_at=fetched_at,
            verdict=result.verdict,
            hits=[hit.to_json() for hit in result.hits],
            is_question=t.question,
            scope=t.scope,
            topic=t.topic[:64],
            confidence=t.confidence,
            activity_id=during(rc.created_at or fetched_at),
        )
        for rc, result, t in zip(batch, results, triaged, strict=True)
    ]


def _activities(channel: Channel, moments: list[datetime]) -> Callable[[datetime], int | None]:
    """W-08, T-06: the activity that ran on the account when a comment was written (the
    latest started, not finished before it), for a whole batch with one query."""
    ran = list(
        Activity.objects.filter(
            channel_id=channel.pk,
            status__in=(ActivityStatus.RUNNING, ActivityStatus.FINISHED),
            started_at__lte=max(moments),
        )
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=min(moments)))
        .order_by("-started_at", "-id")
        .values_list("pk", "started_at", "finished_at")
    )

    def during(moment: datetime) -> int | None:
        for pk, started, finished in ran:
            if (
                started is not None
                and started <= moment
                and (finished is None or finished >= moment)
            ):
                return int(pk)
        return None

    return during


def store(channel: Channel, source: str, prepared: Sequence[Comment]) -> list[Comment]:
    """Insert the comments not stored yet (in the caller's transaction); returns the
    stored new ones with their ids, then the rules act on them."""
    if not prepared:
        return []
    ids = [c.remote_id for c in prepared]
    with transaction.atomic():
        have = set(
            Comment.objects.filter(
                channel_id=channel.pk, source=source, remote_id__in=ids
            ).values_list("remote_id", flat=True)
        )
        new = [c for c in prepared if c.remote_id not in have]
        if not new:
            return []
        # The unique (channel, source, remote_id) is the backstop against a racing fetcher.
        Comment.objects.bulk_create(new, ignore_conflicts=True)
        stored = list(
            Comment.objects.filter(
                channel_id=channel.pk, source=source, remote_id__in=[c.remote_id for c in new]
            ).order_by("id")
        )
        rules.apply_many(stored)
        experts.route_new(stored)  # W-19, W-20: the expert, the reply deadline
    return stored


def ingest(
    channel: Channel,
    intent: PublishIntent | None,
    source: str,
    remote_comments: Sequence[RemoteComment],
) -> list[Comment]:
    return store(channel, source, prepare(channel, intent, source, remote_comments))
