"""Kazakhstan's working-day calendar for the eQonaq deadline (RULES.md §3).

A working day is Monday-Friday that is not a public holiday, or any day the Government made a
working day by transferring a day off (Labour Code art. 85(3)). The built-in calendar comes from
the `holidays` package (country "KZ"): its public holidays, weekend holidays moved to the next
working day, and its `weekend_workdays` (transferred working Saturdays and Sundays).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_package

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _kz_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and transferred working days of one year; cached, as the package is slow."""
    calendar = holidays_package.country_holidays("KZ", years=year)
    days_off = frozenset(day for day in calendar if day.year == year)
    workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, workdays


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """A working-day calendar.

    `holidays` None means the built-in KZ calendar; a given collection, even empty, replaces it
    whole, its transferred working days included (issue 3). `extra_working_days` are working
    days whatever the weekday or holiday list says.
    """

    holidays: frozenset[date] | None = None
    extra_working_days: frozenset[date] = frozenset()

    @classmethod
    def of(
        cls, holidays: Iterable[date] | None = None, extra_working_days: Iterable[date] = ()
    ) -> "WorkingDays":
        return cls(None if holidays is None else frozenset(holidays), frozenset(extra_working_days))

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if self.holidays is None:
            days_off, workdays = _kz_year(day.year)
            if day in workdays:
                return True
        else:
            days_off = self.holidays
        return day.weekday() < 5 and day not in days_off

    def nth_working_day(self, start: date, n: int, *, counts_start: bool = True) -> date:
        """The n-th working day counting from `start` (day 1 if it is a working day).

        With `counts_start` False the count begins the day after `start`.
        """
        day = start if counts_start else start + ONE_DAY
        found = 0
        while True:
            if self.is_working_day(day):
                found += 1
                if found == n:
                    return day
            day += ONE_DAY
