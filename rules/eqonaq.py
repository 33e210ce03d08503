"""eQonaq arrival notification by the host party (docs/rules.md §3)."""

from collections.abc import Iterable
from datetime import date, timedelta

from rules.types import DEFAULTS
from rules.workdays import WorkingDays


def eqonaq_deadline(
    event_day: date,
    *,
    holidays: Iterable[date] | None = None,
    extra_working_days: Iterable[date] = (),
    counts_arrival_day: bool = DEFAULTS.eqonaq_counts_arrival_day,
    working_days: int = DEFAULTS.eqonaq_working_days,
    calendar: WorkingDays | None = None,
) -> date:
    """Last day to notify an arrival or address change: the 3rd working day (docs/rules.md §3).

    dos-immigration.kz counts a Friday arrival as day 1, so by default the arrival day is
    working day 1 when it is a working day; with `counts_arrival_day` False the count starts
    the next day. `holidays` None uses the built-in KZ calendar; a list replaces it.
    """
    if calendar is None:
        calendar = WorkingDays.of(holidays, extra_working_days)
    return calendar.nth_working_day(event_day, working_days, counts_start=counts_arrival_day)


def eqonaq_deadline_calendar(event_day: date, *, days: int = DEFAULTS.eqonaq_calendar_days) -> date:
    """The calendar-day reading of GTAI's "innerhalb von drei Tagen": entry + 3 (§3)."""
    return event_day + timedelta(days=days)
