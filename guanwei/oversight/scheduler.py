"""The scheduler's oversight pass (run by the one dispatcher holding the scheduler lease):
create slot and syndication deadlines, remind before, escalate, close as met or breached
(REQ W-06, W-10, W-11, C-05; DESIGN invariant 5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from guanwei.channels.models import Channel, ChannelStatus
from guanwei.orgs.rules import rules_for
from guanwei.oversight import actions
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus, owed_q
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.publishing.slots import slot_times

HORIZON = timedelta(hours=24)


def ensure_slot_deadlines(now: datetime) -> int:
    """One deadline per mandatory slot of every active channel in the next 24 hours (W-10)."""
    created = 0
    wanted = []
    for channel in Channel.objects.filter(status=ChannelStatus.ACTIVE).select_related("unit"):
        for moment, slot in slot_times(channel.organisation_id, channel, now, 2):
            # an E-04 preferred window is a time to choose, not a slot that must be filled
            if slot.optional or slot.window or moment > now + HORIZON:
                continue
            wanted.append((channel, moment, slot, f"slot:{channel.pk}:{moment.isoformat()}"))
    # One read of what exists; only the missing ones are inserted (a pass every 15 s must
    # not try — and fail — to insert every deadline again).
    existing = set(
        Deadline.objects.filter(key__in=[k for *_, k in wanted]).values_list("key", flat=True)
    )
    for channel, moment, slot, key in wanted:
        if key in existing:
            continue
        owners = [i for i in (channel.manager_id, channel.responsible_id) if i]
        made = actions.create_deadline(
            organisation_id=channel.organisation_id,
            unit=channel.unit,
            kind=DeadlineKind.SLOT,
            key=key,
            title=f"{channel.name} {slot.name} {timezone.localtime(moment):%m-%d %H:%M}",
            channel=channel,
            category=slot.category,
            starts_at=moment - timedelta(minutes=slot.tolerance_minutes),
            due_at=moment + timedelta(minutes=slot.tolerance_minutes),
            remind_at=moment - timedelta(minutes=slot.remind_before_minutes),
            owner_ids=owners,
            escalate_ids=[channel.responsible_id] if channel.responsible_id else [],
            req="W-10",
        )
        created += made is not None
    return created


def _syndication_rules(organisation_id: int) -> list[dict[str, Any]]:
    return rules_for(organisation_id).extra("syndication")


def ensure_syndication_deadlines(now: datetime) -> int:
    """A published post on a source account creates a duty for each target account
    (W-06 county accounts point to the city warning; C-05 departments repost)."""
    created = 0
    recent = PublishIntent.objects.filter(
        status=IntentStatus.PUBLISHED, published_at__gte=now - timedelta(days=2)
    ).select_related("channel", "revision", "post")
    by_org: dict[int, list[dict[str, Any]]] = {}
    for intent in recent:
        rules = by_org.setdefault(
            intent.organisation_id, _syndication_rules(intent.organisation_id)
        )
        for rule in rules:
            if intent.channel.key not in (rule.get("sources") or []):
                continue
            if rule.get("categories") and intent.revision.category not in rule["categories"]:
                continue
            if rule.get("subtypes") and intent.revision.subtype not in rule["subtypes"]:
                continue
            minutes = int(rule.get("minutes") or 0) + 60 * int(rule.get("hours") or 0) or 60
            assert intent.published_at is not None
            for target in Channel.objects.filter(
                organisation_id=intent.organisation_id,
                key__in=rule.get("targets") or [],
                status=ChannelStatus.ACTIVE,
            ):
                made = actions.create_deadline(
                    organisation_id=target.organisation_id,
                    unit=target.unit,
                    kind=DeadlineKind.SYNDICATION,
                    # C-05: one duty per post and target account, however many source
                    # accounts the post went out on (the key makes the second a no-op)
                    key=f"synd:{rule.get('key') or ''}:{intent.post_id}:{target.pk}",
                    title=f"{target.name} 转发《{intent.post.title}》",
                    channel=target,
                    post=intent.post,
                    source_intent_id=intent.pk,
                    starts_at=intent.published_at,
                    due_at=intent.published_at + timedelta(minutes=minutes),
                    remind_at=intent.published_at,
                    owner_ids=[i for i in (target.manager_id, target.responsible_id) if i],
                    escalate_ids=[target.responsible_id] if target.responsible_id else [],
                    req=",".join(rule["req"]) if isinstance(rule["req"], list) else rule["req"],
                )
                created += made is not None
    return created


def _slot_filled(deadline: Deadline, *, published_only: bool) -> PublishIntent | None:
    statuses = (
        [IntentStatus.PUBLISHED]
        if published_only
        else [
            IntentStatus.PUBLISHED,
            IntentStatus.SCHEDULED,
            IntentStatus.CLAIMED,
            IntentStatus.SENDING,
            IntentStatus.REMOTE_PENDING,
            IntentStatus.RETRY,
            IntentStatus.UNKNOWN,
        ]
    )
    qs = PublishIntent.objects.filter(
        channel=deadline.channel,
        status__in=statuses,
        due_at__gte=deadline.starts_at,
        due_at__lte=deadline.due_at,
    )
    if deadline.category:
        qs = qs.filter(revision__category=deadline.category)
    return qs.select_related("post", "channel").order_by("due_at").first()


def _correction_published(deadline: Deadline) -> PublishIntent | None:
    return (
        PublishIntent.objects.filter(
            post__corrects=deadline.post,
            post__created__gte=deadline.starts_at,
            status=IntentStatus.PUBLISHED,
        )
        .select_related("post")
        .order_by("published_at")
        .first()
    )


def evaluate(now: datetime) -> int:
    changed = 0
    for deadline in (
        Deadline.objects.filter(owed_q())  # a breached correction is owed until published
        .filter(Q(due_at__lte=now + HORIZON))
        .select_related("channel", "post")
    ):
        if deadline.kind == DeadlineKind.SLOT:
            done = _slot_filled(deadline, published_only=True)
            if done is not None and done.published_at and done.published_at <= deadline.due_at:
                changed += actions.close_deadline(
                    deadline,
                    DeadlineStatus.MET,
                    evidence=(
                        f"《{done.post.title}》{timezone.localtime(done.published_at):%H:%M} "
                        f"发布于{done.channel.name}"
                    ),
                )
            elif now > deadline.due_at:
                changed += actions.close_deadline(deadline, DeadlineStatus.BREACHED)
            elif (
                deadline.remind_at
                and now >= deadline.remind_at
                and _slot_filled(deadline, published_only=False) is None
            ):
                changed += actions.remind(
                    deadline, text="该发布时段还没有安排稿件，请尽快提交并安排发布。"
                )
        elif deadline.kind == DeadlineKind.CORRECTION:
            done = _correction_published(deadline)
            if done is not None and done.published_at is not None:  # the hook missed it
                changed += actions.correction_published(
                    deadline, correction=done.post, at=done.published_at
                )
                actions.retract_corrected_original(done.post)
            elif deadline.status != DeadlineStatus.OPEN:
                continue  # breached, still owed: it closes when the correction is out
            elif now > deadline.due_at:
                changed += actions.correction_overdue(deadline)
            elif deadline.escalate_at and now >= deadline.escalate_at:
                changed += actions.escalate(deadline)
        elif deadline.kind == DeadlineKind.SYNDICATION:
            if now > deadline.due_at:
                changed += actions.close_deadline(deadline, DeadlineStatus.BREACHED)
            elif deadline.remind_at and now >= deadline.remind_at:
                changed += actions.remind(deadline, text="请转发或链接源账号的这条信息。")
        elif deadline.kind == DeadlineKind.REPLY:  # W-20: met by the first response
            if now > deadline.due_at:
                changed += actions.close_deadline(deadline, DeadlineStatus.BREACHED)
            elif deadline.remind_at and now >= deadline.remind_at:
                changed += actions.remind(deadline, text="网友的提问还没有答复，请尽快起草回复。")
        elif deadline.kind in (
            DeadlineKind.UNREGISTERED,
            DeadlineKind.FILING,
            DeadlineKind.PROFILE,
        ):  # C-04, C-12, T-07: closed by the person's action, breached when late
            if now > deadline.due_at:
                changed += actions.close_deadline(deadline, DeadlineStatus.BREACHED)
    return changed


def tick(now: datetime | None = None) -> int:
    now = now or timezone.now()
    from guanwei.oversight.quotas import ensure_quota_deadlines, evaluate_quotas

    return (
        ensure_slot_deadlines(now)
        + ensure_syndication_deadlines(now)
        + ensure_quota_deadlines(now)
        + evaluate(now)
        + evaluate_quotas(now)
    )
