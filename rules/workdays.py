"""Kazakhstan's working-day calendar for the eQonaq deadline (docs/rules.md §3).

A working day is Monday-Friday that is not a public holiday, or any day the Government made a
working day by transferring a day off (Labour Code art. 85(3)). The two are separate lists:
the days off (public holidays, weekend holidays moved to the next working day, transferred
days off) and the transferred working days (Saturdays and Sundays made working days). The
built-in calendar comes from the `holidays` package (country "KZ"): its holidays and its
`weekend_workdays`.

The Government moves the days off by decree every year. The package carries the decrees up to
2025; from 2026 on it has no transferred days, and some religious holidays are estimates. A
year is *confirmed* when the caller gave both of its lists, or gave neither and it is in
`BUILT_IN_CONFIRMED_YEARS`. A year where one given list replaces a built-in one is a mix of
the two and is not confirmed.

A transfer has two halves: a weekend day made a working day and the weekday made a day off in
its place ("Демалыс күні (05.01.2025 бастап ауыстырылды)": 3 Jan 2025 off, moved from the
working Sunday 5 Jan). When one list is given and the other is built in, a built-in half is
kept only with its other half, so a given list of days off without 3 Jan also drops 5 Jan.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_package

ONE_DAY = timedelta(days=1)

# Years whose transfers of days off the `holidays` package (0.109) lists from the Government's
# decrees (e.g. 2024-05-04, a working Saturday; 2025-01-05, a working Sunday).
BUILT_IN_CONFIRMED_YEARS = frozenset(range(2017, 2026))


@lru_cache(maxsize=64)
def _kz_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and transferred working days of one year; cached, as the package is slow."""
    calendar = holidays_package.country_holidays("KZ", years=year)
    days_off = frozenset(day for day in calendar if day.year == year)
    workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, workdays


_MOVED_FROM = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")


@lru_cache(maxsize=64)
def _kz_transfers(year: int) -> dict[date, date]:
    """The built-in transfers of `year`: each transferred working day with the day off it bought."""
    calendar = holidays_package.country_holidays("KZ", years=year)
    pairs = {}
    for day, name in calendar.items():
        found = _MOVED_FROM.search(name)
        if found is not None and day.year == year:
            dd, mm, yyyy = (int(part) for part in found.groups())
            pairs[date(yyyy, mm, dd)] = day
    return pairs


def built_in_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The built-in days off and transferred working days of `year` (for an admin to correct)."""
    return _kz_year(year)


def _completed(
    year: int, days_off: frozenset[date] | None, workdays: frozenset[date] | None
) -> tuple[frozenset[date], frozenset[date]]:
    """Fills the lists not given with the built-in ones, each transfer's halves together."""
    built_in_off, built_in_work = _kz_year(year)
    if days_off is None and workdays is None:
        return built_in_off, built_in_work
    pairs = _kz_transfers(year)
    if days_off is None:
        assert workdays is not None
        dropped = {off for work, off in pairs.items() if work not in workdays}
        return built_in_off - dropped, workdays
    kept = frozenset(work for work in built_in_work if work not in pairs or pairs[work] in days_off)
    return days_off, kept


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """A working-day calendar.

    `holidays` replaces the built-in days off and `transferred_working_days` the built-in
    transferred working days, each only when given (None: built-in). `years` limits both to
    those years (the years a caller corrected); None applies them to every year.
    `extra_working_days` are working days whatever the weekday or holiday list says.
    """

    holidays: frozenset[date] | None = None
    extra_working_days: frozenset[date] = frozenset()
    transferred_working_days: frozenset[date] | None = None
    years: frozenset[int] | None = None

    @classmethod
    def of(
        cls,
        holidays: Iterable[date] | None = None,
        extra_working_days: Iterable[date] = (),
        *,
        transferred_working_days: Iterable[date] | None = None,
        years: Iterable[int] | None = None,
    ) -> "WorkingDays":
        nothing_given = holidays is None and transferred_working_days is None and years is None
        if nothing_given and not extra_working_days:
            return BUILT_IN
        return cls(
            None if holidays is None else frozenset(holidays),
            frozenset(extra_working_days),
            None if transferred_working_days is None else frozenset(transferred_working_days),
            None if years is None else frozenset(years),
        )

    def _given(self, year: int) -> bool:
        return self.years is None or year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        given = self._given(day.year)
        days_off = self.holidays if given else None
        workdays = self.transferred_working_days if given else None
        if days_off is None or workdays is None:
            days_off, workdays = _completed(day.year, days_off, workdays)
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in days_off

    def confirmed(self, first: date, last: date) -> bool:
        """Whether every year from `first` to `last` has a confirmed calendar (module docstring)."""
        return all(self._confirmed(year) for year in range(first.year, last.year + 1))

    def _confirmed(self, year: int) -> bool:
        if not self._given(year):
            return year in BUILT_IN_CONFIRMED_YEARS
        given = (self.holidays is not None, self.transferred_working_days is not None)
        if given == (True, True):
            return True
        return given == (False, False) and year in BUILT_IN_CONFIRMED_YEARS

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


# The built-in calendar with nothing given: one object for every request that gives none.
BUILT_IN = WorkingDays()
