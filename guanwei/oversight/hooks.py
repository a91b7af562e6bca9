"""Oversight reacting to the rooms below it, through hooks connected at start-up
(``OversightConfig.ready``); publishing never imports oversight."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def on_post_published(sender: Any, intent: Any, **kwargs: Any) -> None:
    """``publishing.events.post_published``: when a correction (a post that ``corrects``
    another) is out on every account it was sent to, the owed W-11 deadlines (open, or
    breached and not yet closed) of the post it corrects close — met when in time, with the
    minutes taken. Runs inside the dispatcher's
    transaction; never raises (a failure here must not undo the publication record; the
    scheduler's pass closes the deadline then)."""
    from guanwei.content.models import Post
    from guanwei.oversight import actions
    from guanwei.oversight.models import Deadline, DeadlineKind, owed_q
    from guanwei.publishing.models import OPEN_STATUSES, PublishIntent

    if PublishIntent.post.is_cached(intent) and intent.post.corrects_id is None:
        return  # not a correction (the dispatcher has the post at hand: no query)
    try:
        with transaction.atomic():
            post = Post.objects.filter(pk=intent.post_id, corrects__isnull=False).first()
            if post is None:
                return
            still_sending = (
                PublishIntent.objects.filter(post_id=post.pk, revision_id=intent.revision_id)
                .exclude(pk=intent.pk)
                .filter(status__in=OPEN_STATUSES)
                .exists()
            )
            if still_sending:
                return
            at = getattr(intent, "published_at", None) or timezone.now()
            assert post.corrects_id is not None
            for deadline in Deadline.objects.filter(  # the notices this correction answers
                owed_q(),  # open, or breached and still owed
                kind=DeadlineKind.CORRECTION,
                post_id=post.corrects_id,
                starts_at__lte=post.created,
            ):
                actions.correction_published(deadline, correction=post, at=at)
    except Exception:
        log.exception("intent %s: closing the correction deadline failed", intent.pk)
        return
    try:  # the original, where the pack says delete (its own savepoint: W-11)
        with transaction.atomic():
            actions.retract_corrected_original(post)
    except Exception:
        log.exception("intent %s: queueing the original's deletion failed", intent.pk)


def on_intents_released(sender: Any, intents: Any, **kwargs: Any) -> None:
    """``publishing.events.intents_released``: scheduled posts cancelled or moved to another
    time; a quota they met ahead (E-04 时光机) that now falls short is open again at once
    (not only at the scheduler's next pass). Never raises (the pass catches up then)."""
    from guanwei.oversight.quotas import reopen_released

    channels = {i.channel_id for i in intents}
    if not channels:
        return
    try:
        with transaction.atomic():
            reopen_released(timezone.now(), channels)
    except Exception:
        log.exception("intents %s: reopening a quota met ahead failed", [i.pk for i in intents])
