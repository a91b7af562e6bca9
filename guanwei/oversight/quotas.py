"""Update quotas as deadlines (REQ W-13, R-03, E-04, T-01, T-02): how many posts an account
must publish per day or week (on work days, rest days per the official calendar), warned in
time and recorded as met or breached; and the weekly batch of a column (R-03: every Friday
the next week's posts are in, at least one a day)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.models import Post, PostStatus
from guanwei.orgs.rules import rules_for
from guanwei.oversight import actions
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.publishing.calendar import is_workday
from guanwei.publishing.models import OPEN_STATUSES, IntentStatus, PublishIntent

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _rules(organisation_id: int) -> dict[str, dict[str, Any]]:
    return {q["key"]: q for q in rules_for(organisation_id).extra("quotas") if "key" in q}


def _period(rule: dict[str, Any], today: date) -> tuple[date, date]:
    if rule.get("period") == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    return today, today


def _applies_day(rule: dict[str, Any], day: date, organisation_id: int) -> bool:
    days = rule.get("days", "all")
    if days == "work":
        return is_workday(day, organisation_id=organisation_id)
    if days == "rest":
        return not is_workday(day, organisation_id=organisation_id)
    return True


def _channels(organisation_id: int, rule: dict[str, Any]) -> QuerySet[Channel]:
    qs = Channel.objects.filter(organisation_id=organisation_id, status=ChannelStatus.ACTIVE)
    if rule.get("channel_kinds"):
        qs = qs.filter(kind__in=rule["channel_kinds"])
    return qs.select_related("unit")


def _matching(rule: dict[str, Any], channel: Channel) -> QuerySet[PublishIntent]:
    qs = PublishIntent.objects.filter(channel=channel)
    if rule.get("categories"):
        qs = qs.filter(revision__category__in=rule["categories"])
    if rule.get("column"):
        qs = qs.filter(revision__column=rule["column"])
    return qs


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = _tz()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last, time.max, tzinfo=tz),
    )


def ensure_quota_deadlines(now: datetime) -> int:
    from guanwei.orgs.models import Organisation

    today = timezone.localtime(now).date()
    created = 0
    for org in Organisation.objects.all():
        for key, rule in _rules(org.pk).items():
            if rule.get("period") not in ("day", "week"):
                continue
            # A quota met by posts scheduled ahead (E-04 时光机: rest days) is open from
            # a week before its day, so what is scheduled for it counts ahead of the day.
            ahead = AHEAD_DAYS if rule.get("scheduled") and rule.get("period") == "day" else 0
            for offset in range(ahead + 1):
                created += _ensure_quota(org.pk, key, rule, today + timedelta(days=offset))
            batch = rule.get("batch")
            if isinstance(batch, dict) and batch.get("submit_weekday") in WEEKDAYS:
                created += _ensure_batch(org.pk, key, rule, today)
    return created


AHEAD_DAYS = 7


def _ensure_quota(organisation_id: int, key: str, rule: dict[str, Any], today: date) -> int:
    """The quota deadline of ``rule`` for the period holding ``today``, per channel."""
    first, last = _period(rule, today)
    if rule.get("period") == "day" and not _applies_day(rule, today, organisation_id):
        return 0
    starts, due = _bounds(first, last)
    warn_day = rule.get("warn_on")
    if warn_day in WEEKDAYS:
        remind = datetime.combine(
            first + timedelta(days=WEEKDAYS.index(warn_day)), time(9), tzinfo=_tz()
        )
    else:  # two thirds of the way through the period
        remind = starts + (due - starts) * 2 / 3
    created = 0
    for channel in _channels(organisation_id, rule):
        made = actions.create_deadline(
            organisation_id=organisation_id,
            unit=channel.unit,
            kind=DeadlineKind.QUOTA,
            key=f"quota:{key}:{channel.pk}:{first.isoformat()}",
            title=f"{channel.name} {rule.get('name', key)}（{first:%m-%d}"
            + (f"至{last:%m-%d}）" if last != first else "）"),
            channel=channel,
            rule=key,
            starts_at=starts,
            due_at=due,
            remind_at=remind,
            owner_ids=[i for i in (channel.manager_id, channel.responsible_id) if i],
            escalate_ids=[channel.responsible_id] if channel.responsible_id else [],
            req=",".join(rule["req"]) if isinstance(rule["req"], list) else rule["req"],
        )
        created += made is not None
    return created


def _ensure_batch(organisation_id: int, key: str, rule: dict[str, Any], today: date) -> int:
    """R-03: every Friday, next week's posts of the column must be in (one a day)."""
    weekday = WEEKDAYS.index(rule["batch"]["submit_weekday"])
    monday = today - timedelta(days=today.weekday())
    submit_day = monday + timedelta(days=weekday)
    starts, due = _bounds(monday, submit_day)
    created = 0
    for channel in _channels(organisation_id, rule):
        made = actions.create_deadline(
            organisation_id=organisation_id,
            unit=channel.unit,
            kind=DeadlineKind.BATCH,
            key=f"batch:{key}:{channel.pk}:{submit_day.isoformat()}",
            title=f"{channel.name} {rule.get('name', key)}："
            f"下周（{submit_day + timedelta(days=3):%m-%d}起）稿件",
            channel=channel,
            rule=key,
            starts_at=starts,
            due_at=due,
            remind_at=due - timedelta(hours=8),
            owner_ids=[i for i in (channel.manager_id, channel.responsible_id) if i],
            escalate_ids=[channel.responsible_id] if channel.responsible_id else [],
            req=",".join(rule["req"]) if isinstance(rule["req"], list) else rule["req"],
        )
        created += made is not None
    return created


def quota_count(deadline: Deadline, rule: dict[str, Any]) -> int:
    """Posts published in the period; for a quota met ahead (``scheduled = true``, E-04
    时光机) also those scheduled for it, so the day is counted before it comes."""
    assert deadline.channel is not None
    published = Q(
        status=IntentStatus.PUBLISHED,
        published_at__gte=deadline.starts_at,
        published_at__lte=deadline.due_at,
    )
    if rule.get("scheduled"):
        published |= Q(
            status__in=OPEN_STATUSES,
            due_at__gte=deadline.starts_at,
            due_at__lte=deadline.due_at,
        )
    return _matching(rule, deadline.channel).filter(published).count()


def quota_progress(deadline: Deadline) -> str:
    """ "1/3" for an open quota deadline (E-04: the day's quota as progress), else ""."""
    if deadline.kind != DeadlineKind.QUOTA or deadline.channel is None:
        return ""
    rule = _rules(deadline.organisation_id).get(deadline.rule)
    if rule is None:
        return ""
    return f"{quota_count(deadline, rule)}/{int(rule.get('min', 1))}"


def batch_missing_days(deadline: Deadline, rule: dict[str, Any]) -> list[date]:
    """The days of next week without a scheduled or published post of the column."""
    assert deadline.channel is not None
    monday = timezone.localtime(deadline.starts_at).date() + timedelta(days=7)
    days = [monday + timedelta(days=i) for i in range(7)]
    starts, ends = _bounds(days[0], days[-1])
    have = {
        timezone.localtime(at).date()
        for at in _matching(rule, deadline.channel)
        .filter(
            Q(status__in=OPEN_STATUSES) | Q(status=IntentStatus.PUBLISHED),
            due_at__gte=starts,
            due_at__lte=ends,
        )
        .values_list("due_at", flat=True)
    }
    # the week plan submitted for the column counts as "in" (its days are with the
    # reviewer or approved, waiting to be scheduled), so the Friday deadline closes when
    # the batch is in, not only once each day has been scheduled.
    have |= {
        timezone.localtime(at).date()
        for at in Post.objects.filter(
            organisation_id=deadline.organisation_id,
            week_plan__column=rule.get("column", ""),
            current_revision__channels=deadline.channel,
            current_revision__planned_at__gte=starts,
            current_revision__planned_at__lte=ends,
        )
        .exclude(status__in=[PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.WITHDRAWN])
        .values_list("current_revision__planned_at", flat=True)
        if at is not None
    }
    return [d for d in days if d not in have]


def reopen_released(now: datetime, channel_ids: set[int] | None = None) -> int:
    """Quotas met ahead (``scheduled = true``, E-04 时光机) whose period has not ended
    and whose count has fallen below the minimum since — a scheduled post cancelled,
    moved to another day, or failed — are open again (on ``channel_ids`` only, if given),
    so the day shows n/3 and is reminded and breached like any other."""
    met = Deadline.objects.filter(
        status=DeadlineStatus.MET, kind=DeadlineKind.QUOTA, due_at__gt=now
    ).select_related("channel")
    if channel_ids is not None:
        met = met.filter(channel_id__in=channel_ids)
    changed = 0
    for deadline in met:
        rule = _rules(deadline.organisation_id).get(deadline.rule)
        if rule is None or not rule.get("scheduled") or deadline.channel is None:
            continue
        count, needed = quota_count(deadline, rule), int(rule.get("min", 1))
        if count < needed:
            changed += actions.reopen_deadline(
                deadline, evidence=f"已安排 {count}/{needed} 条（有稿件取消或改期）"
            )
    return changed


def evaluate_quotas(now: datetime) -> int:
    changed = reopen_released(now)
    for deadline in Deadline.objects.filter(
        status=DeadlineStatus.OPEN, kind__in=[DeadlineKind.QUOTA, DeadlineKind.BATCH]
    ).select_related("channel"):
        rule = _rules(deadline.organisation_id).get(deadline.rule)
        if rule is None or deadline.channel is None:
            continue
        if deadline.kind == DeadlineKind.BATCH:
            missing = batch_missing_days(deadline, rule)
            if not missing:
                changed += actions.close_deadline(
                    deadline, DeadlineStatus.MET, evidence="下周每天都已安排"
                )
            elif now > deadline.due_at:
                changed += actions.close_deadline(
                    deadline,
                    DeadlineStatus.BREACHED,
                    evidence="缺：" + "、".join(f"{d:%m-%d}" for d in missing),
                )
            elif deadline.remind_at and now >= deadline.remind_at:
                changed += actions.remind(
                    deadline,
                    text="下周还缺这些天的稿件：" + "、".join(f"{d:%m-%d}" for d in missing),
                )
            continue
        count = quota_count(deadline, rule)
        needed = int(rule.get("min", 1))
        done = "已安排" if rule.get("scheduled") else "已发布"
        if count >= needed:
            changed += actions.close_deadline(
                deadline, DeadlineStatus.MET, evidence=f"{done} {count}/{needed} 条"
            )
        elif now > deadline.due_at:
            changed += actions.close_deadline(
                deadline,
                DeadlineStatus.BREACHED,
                evidence=f"只发布了 {count}/{needed} 条，应至少 {needed} 条",
            )
        elif deadline.remind_at and now >= deadline.remind_at:
            changed += actions.remind(
                deadline,
                text=f"本期{done} {count}/{needed} 条，还差 {needed - count} 条。",
            )
    return changed
