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


def on_unregistered_reported(sender: Any, report: Any, handlers: list[int], **kwargs: Any) -> Any:
    """``channels.events.unregistered_reported`` (C-04, decision 0034): the checking
    deadline, 5 working days by the organisation's calendar (end of that day), owned by the
    checkers; returns its due time for the report."""
    from datetime import datetime, time

    from guanwei.channels.actions import UNREGISTERED_WORKDAYS
    from guanwei.orgs.models import Unit
    from guanwei.oversight.actions import create_deadline
    from guanwei.oversight.models import DeadlineKind
    from guanwei.publishing.calendar import add_workdays

    org_id = report.organisation_id
    last_day = add_workdays(
        timezone.localdate(report.created_at), UNREGISTERED_WORKDAYS, organisation_id=org_id
    )
    due_at = timezone.make_aware(datetime.combine(last_day, time(23, 59)))
    root = Unit.objects.filter(organisation_id=org_id, parent__isnull=True).order_by("pk").first()
    create_deadline(
        organisation_id=org_id,
        unit=root or report.reporter_unit,
        kind=DeadlineKind.UNREGISTERED,
        key=f"unregistered:{report.pk}",
        title=f"核查未备案账号“{report.name[:80]}”",
        starts_at=report.created_at,
        due_at=due_at,
        owner_ids=handlers,
        req="C-04",
    )
    return due_at


def on_unregistered_decided(sender: Any, report: Any, actor: Any, **kwargs: Any) -> None:
    """``channels.events.unregistered_decided``: the checking deadline closes — met when
    decided in time, breached when late (if the scheduler has not breached it already)."""
    from guanwei.oversight.actions import close_deadline
    from guanwei.oversight.models import Deadline, DeadlineStatus

    deadline = Deadline.objects.filter(key=f"unregistered:{report.pk}").first()
    if deadline is None:
        return
    late = report.closed_at is not None and report.closed_at > deadline.due_at
    close_deadline(
        deadline,
        DeadlineStatus.BREACHED if late else DeadlineStatus.MET,
        actor=actor,
        evidence=report.get_status_display(),
    )
