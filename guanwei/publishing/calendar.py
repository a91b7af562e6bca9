"""Work days and rest days per the State Council calendar (E-04), with administrator
overrides for years the chinese-calendar library does not know yet (fallback Mon-Fri)."""

from __future__ import annotations

from datetime import date

import chinese_calendar

from guanwei.publishing.models import CalendarDay


def is_workday(day: date) -> bool:
    override = CalendarDay.objects.filter(day=day).values_list("workday", flat=True).first()
    if override is not None:
        return bool(override)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def year_known(year: int) -> bool:
    """Whether the official calendar for ``year`` is known (library data or overrides)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return CalendarDay.objects.filter(day__year=year).exists()
