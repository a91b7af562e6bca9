"""Work days and rest days (E-04, W-10): the State Council calendar shipped with the
chinese-calendar library, shared by every organisation and read-only, overlaid with the
organisation's own entries (``CalendarDay``: a year the library does not know yet, a local
rest day). One organisation's entries never change another's calendar (issue #9 §4)."""

from __future__ import annotations

from datetime import date

import chinese_calendar

from guanwei.publishing.models import CalendarDay


def official_workday(day: date) -> bool:
    """The shared calendar: the library's data, Mon-Fri for a year it does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date, *, organisation_id: int) -> bool:
    override = (
        CalendarDay.objects.filter(organisation_id=organisation_id, day=day)
        .values_list("workday", flat=True)
        .first()
    )
    if override is not None:
        return bool(override)
    return official_workday(day)


def year_known(year: int, *, organisation_id: int) -> bool:
    """Whether ``year``'s calendar is known: the library's data, or the organisation's
    own entries for it."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return CalendarDay.objects.filter(organisation_id=organisation_id, day__year=year).exists()
