"""Publishing slots from the pack (W-10 forecasts at 07:30/17:00, E-04 windows) and the
next free slot of a channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from guanwei.channels.models import Channel
from guanwei.orgs.rules import rules_for
from guanwei.publishing.calendar import is_workday


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


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def slots_for(organisation_id: int) -> list[Slot]:
    """Point slots (``time``) and the start of window slots (``start``); peak-hour entries
    (``peak = true``) are advice, not slots."""
    out: list[Slot] = []
    for entry in rules_for(organisation_id).extra("slots"):
        at = entry.get("time") or entry.get("start")
        if not at or entry.get("peak"):
            continue
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
            )
        )
    return sorted(out, key=lambda s: s.at)


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
    organisation_id: int, channel: Channel, start: datetime, days: int, category: str = ""
) -> list[tuple[datetime, Slot]]:
    tz = _tz()
    first = start.astimezone(tz).date()
    out: list[tuple[datetime, Slot]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for slot in slots_for(organisation_id):
            if applies(slot, channel, day, category):
                moment = datetime.combine(day, slot.at, tzinfo=tz)
                if moment >= start:
                    out.append((moment, slot))
    return out


def next_free_slot(
    channel: Channel, after: datetime, taken: set[datetime], category: str = ""
) -> tuple[datetime, Slot] | None:
    """The first slot of ``channel`` at or after ``after`` with nothing scheduled yet."""
    for moment, slot in slot_times(channel.organisation_id, channel, after, 14, category):
        if moment not in taken:
            return moment, slot
    return None


def describe(slot: Slot) -> dict[str, Any]:
    return {"key": slot.key, "name": slot.name, "at": slot.at.strftime("%H:%M")}
