"""Publishing slots from the pack and the next free time of a channel: W-10's point slots
(forecasts at 07:30 / 17:00, each a deadline), E-04's preferred windows (a span, 09:00–09:30
… 20:00–23:59: any free time inside it, never a deadline), the Weibo peaks (hints only) and
the daily limits of the pack's quotas (``max`` refuses, ``soft_max`` warns)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from guanwei.channels.models import Channel
from guanwei.orgs.rules import rules_for
from guanwei.publishing.calendar import is_workday
from guanwei.publishing.models import OPEN_STATUSES, IntentStatus, PublishIntent


@dataclass(frozen=True)
class Slot:
    key: str
    name: str
    at: time
    category: str = ""
    channel_kinds: tuple[str, ...] = ()
    optional: bool = False
    days: str = "all"  # all | work | rest
    tolerance_minutes: int = 30
    remind_before_minutes: int = 10
    end: time | None = None  # a window (E-04): free times from ``at`` to ``end``
    spacing_minutes: int = 15  # inside a window, one post every this many minutes

    @property
    def window(self) -> bool:
        return self.end is not None

    @property
    def span(self) -> str:
        """ "09:00–09:30" for a window, "07:30" for a point slot."""
        start = self.at.strftime("%H:%M")
        return f"{start}–{self.end.strftime('%H:%M')}" if self.end else start

    def times(self, day: date, tz: ZoneInfo) -> list[datetime]:
        """The moments of this slot on ``day``: one, or every ``spacing_minutes`` of a window."""
        first = datetime.combine(day, self.at, tzinfo=tz)
        if self.end is None:
            return [first]
        last = datetime.combine(day, self.end, tzinfo=tz)
        step = timedelta(minutes=max(1, self.spacing_minutes))
        out = []
        while first <= last:
            out.append(first)
            first += step
        return out


@dataclass(frozen=True)
class Peak:
    """A peak hour of the platform (E-04 四 4): advice shown beside the schedule form."""

    name: str
    start: time
    end: time

    @property
    def span(self) -> str:
        return f"{self.start.strftime('%H:%M')}–{self.end.strftime('%H:%M')}"


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def slots_for(organisation_id: int) -> list[Slot]:
    """Point slots (``time``) and windows (``start`` … ``end``); peak-hour entries
    (``peak = true``) are advice, not slots (:func:`peaks_for`)."""
    out: list[Slot] = []
    for entry in rules_for(organisation_id).extra("slots"):
        at = entry.get("time") or entry.get("start")
        if not at or entry.get("peak"):
            continue
        end = entry.get("end") if not entry.get("time") else None
        out.append(
            Slot(
                key=str(entry["key"]),
                name=str(entry.get("name", entry["key"])),
                at=_hhmm(str(at)),
                category=str(entry.get("category", "")),
                channel_kinds=tuple(entry.get("channel_kinds") or ()),
                optional=bool(entry.get("optional", False)),
                days=str(entry.get("days", "all")),
                tolerance_minutes=int(entry.get("tolerance_minutes", 30)),
                remind_before_minutes=int(entry.get("remind_before_minutes", 10)),
                end=_hhmm(str(end)) if end else None,
                spacing_minutes=int(entry.get("spacing_minutes", 15)),
            )
        )
    return sorted(out, key=lambda s: s.at)


def peaks_for(organisation_id: int) -> list[Peak]:
    return [
        Peak(str(e.get("name", e["key"])), _hhmm(str(e["start"])), _hhmm(str(e["end"])))
        for e in rules_for(organisation_id).extra("slots")
        if e.get("peak") and e.get("start") and e.get("end")
    ]


def has_windows(organisation_id: int) -> bool:
    """Whether the pack's slots are preferred windows (E-04) rather than W-10 slots."""
    found = slots_for(organisation_id)
    return bool(found) and all(s.window for s in found)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def applies(slot: Slot, channel: Channel, day: date, category: str = "") -> bool:
    if slot.channel_kinds and channel.kind not in slot.channel_kinds:
        return False
    if category and slot.category and slot.category != category:
        return False
    if slot.days == "all":
        return True
    workday = is_workday(day, organisation_id=channel.organisation_id)
    return workday if slot.days == "work" else not workday


def slot_times(
    organisation_id: int,
    channel: Channel,
    start: datetime,
    days: int,
    category: str = "",
    *,
    every: bool = False,
) -> list[tuple[datetime, Slot]]:
    """The slots of ``channel`` from ``start`` on, one entry per slot and day (a window by
    its start, unless ``every``: then each free time inside it, from ``start`` on)."""
    tz = _tz()
    first = start.astimezone(tz).date()
    out: list[tuple[datetime, Slot]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for slot in slots_for(organisation_id):
            if not applies(slot, channel, day, category):
                continue
            moments = slot.times(day, tz) if every else [datetime.combine(day, slot.at, tz)]
            if not every and slot.end is not None:  # a window shows while it is open
                if datetime.combine(day, slot.end, tz) >= start:
                    out.append((moments[0], slot))
                continue
            out.extend((moment, slot) for moment in moments if moment >= start)
    return out


def next_free_slot(
    channel: Channel,
    after: datetime,
    taken: set[datetime],
    category: str = "",
    full: Callable[[date], bool] | None = None,
) -> tuple[datetime, Slot] | None:
    """The first slot time of ``channel`` at or after ``after`` with nothing scheduled yet
    (inside a window: the first free time of it), on a day that is not ``full``."""
    skipped: dict[date, bool] = {}
    tz = _tz()
    for moment, slot in slot_times(
        channel.organisation_id, channel, after, 14, category, every=True
    ):
        if moment in taken:
            continue
        day = moment.astimezone(tz).date()
        if full is not None:
            if day not in skipped:
                skipped[day] = full(day)
            if skipped[day]:
                continue
        return moment, slot
    return None


@dataclass(frozen=True)
class DayLimit:
    """A daily quota of the pack with a ceiling (E-04): ``max`` refuses, ``soft_max`` warns."""

    key: str
    name: str
    soft_max: int | None
    max: int | None
    column: str = ""
    categories: tuple[str, ...] = ()


def day_limits(channel: Channel, day: date) -> list[DayLimit]:
    """The pack's daily quotas that apply to ``channel`` on ``day`` and have a ceiling."""
    out = []
    for rule in rules_for(channel.organisation_id).extra("quotas"):
        if rule.get("period") != "day" or not (rule.get("max") or rule.get("soft_max")):
            continue
        if rule.get("channel_kinds") and channel.kind not in rule["channel_kinds"]:
            continue
        days = rule.get("days", "all")
        if days != "all":
            workday = is_workday(day, organisation_id=channel.organisation_id)
            if workday != (days == "work"):
                continue
        out.append(
            DayLimit(
                key=str(rule.get("key", "")),
                name=str(rule.get("name", rule.get("key", ""))),
                soft_max=int(rule["soft_max"]) if rule.get("soft_max") else None,
                max=int(rule["max"]) if rule.get("max") else None,
                column=str(rule.get("column", "")),
                categories=tuple(rule.get("categories") or ()),
            )
        )
    return out


def day_count(channel: Channel, day: date, limit: DayLimit, *, besides: Any = None) -> int:
    """How many posts ``limit`` counts on ``channel`` on ``day`` (waiting, under way or
    published; ``besides``: a revision whose own live intent would only be moved)."""
    tz = timezone.get_current_timezone()
    begin = datetime.combine(day, time.min, tzinfo=tz)
    qs = PublishIntent.objects.filter(
        channel=channel,
        status__in=[*OPEN_STATUSES, IntentStatus.PUBLISHED],
        due_at__gte=begin,
        due_at__lt=begin + timedelta(days=1),
    )
    if limit.column:
        qs = qs.filter(revision__column=limit.column)
    if limit.categories:
        qs = qs.filter(revision__category__in=limit.categories)
    if besides is not None:
        qs = qs.exclude(revision=besides)
    return qs.count()


def counts_towards(revision: Any, limit: DayLimit) -> bool:
    if limit.column and revision.column != limit.column:
        return False
    return not (limit.categories and revision.category not in limit.categories)


def day_kind(day: date, organisation_id: int) -> str:
    return "工作日" if is_workday(day, organisation_id=organisation_id) else "休息日"


def describe(slot: Slot) -> dict[str, Any]:
    return {"key": slot.key, "name": slot.name, "at": slot.at.strftime("%H:%M"), "span": slot.span}
