"""Work days and rest days (E-04, W-10): the State Council calendar shipped with the
chinese-calendar library, shared by every organisation and read-only, overlaid with the
organisation's own entries (``CalendarDay``: a year the library does not know yet, a local
rest day). One organisation's entries never change another's calendar (issue #9 §4)."""

from __future__ import annotations

from datetime import date

import chinese_calendar

from guanwei.publishing.models import CalendarDay, CalendarYear


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


def add_workdays(start: date, days: int, *, organisation_id: int) -> date:
    """The ``days``-th work day after ``start`` (C-12: 注销备案 within 5 working days),
    by the organisation's calendar."""
    from datetime import timedelta

    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day, organisation_id=organisation_id):
            left -= 1
    return day


def built_in(year: int) -> bool:
    """Whether the shared calendar (the library) has ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def year_known(year: int, *, organisation_id: int) -> bool:
    """Whether ``year``'s calendar is known: built in (the library's data), or entered in
    full by the organisation and confirmed as complete. Entered days alone are not enough:
    one 2027 rest day does not make 2027's Spring Festival known."""
    if built_in(year):
        return True
    return CalendarYear.objects.filter(organisation_id=organisation_id, year=year).exists()


def year_state(year: int, *, organisation_id: int) -> dict[str, object]:
    """What the holiday page says of ``year``: built in, entered and complete, or
    entered so far (how many days) and not complete."""
    entered = CalendarDay.objects.filter(organisation_id=organisation_id, day__year=year).count()
    completed = (
        CalendarYear.objects.filter(organisation_id=organisation_id, year=year)
        .select_related("completed_by")
        .first()
    )
    return {
        "year": year,
        "built_in": built_in(year),
        "entered": entered,
        "completed": completed,
        "known": built_in(year) or completed is not None,
    }
