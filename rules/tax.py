"""DTA Germany-Kazakhstan art. 15: the 183-day rule (docs/rules.md §9).

Days of physical presence count, arrival and departure days included. The default window is
(D minus one calendar year, D], sliding over every day D; one year before 29 Feb is 28 Feb,
so the window is 366 days long whenever it contains a 29 Feb. The option "365_days" uses
[D-364, D]. "Not more than 183" means the rule breaks on day 184.
"""

from bisect import bisect_left, bisect_right
from datetime import date
from functools import lru_cache

from rules.window import Presence


def one_year_before(day: date) -> date:
    """`day` one calendar year earlier; 29 Feb maps to 28 Feb."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return date(day.year - 1, 2, 28)


@lru_cache(maxsize=8192)
def window_start(day: int, tax_window: str) -> int:
    """First day (ordinal) of the tax window ending on `day`; cached, as days repeat (every
    traveller is assessed on the same `on`)."""
    if tax_window == "365_days":
        return day - 364
    return one_year_before(date.fromordinal(day)).toordinal() + 1


def tax_days(presence: Presence, on: int, tax_window: str) -> int:
    """Presence days in the tax window ending on `on`."""
    return presence.count(window_start(on, tax_window), on)


@lru_cache(maxsize=8192)
def _constant_length_pieces(start: int, end: int, tax_window: str) -> tuple[tuple[int, int], ...]:
    """Splits [start, end] where the 12-month window changes length (366 days after 29 Feb).

    Inside a piece the window start moves one day per day, so the count never falls on a
    presence day and a binary search finds the first day over the threshold.
    """
    if tax_window == "365_days":
        return ((start, end),)
    cuts = []
    for year in range(date.fromordinal(start).year - 1, date.fromordinal(end).year + 1):
        if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
            # D in [29 Feb Y, 28 Feb Y+1] has a 366-day window.
            for cut in (date(year, 2, 29).toordinal(), date(year + 1, 3, 1).toordinal()):
                if start < cut <= end:
                    cuts.append(cut)
    pieces = []
    first = start
    for cut in sorted(cuts):
        pieces.append((first, cut - 1))
        first = cut
    pieces.append((first, end))
    return tuple(pieces)


def crossing_date(
    presence: Presence, *, threshold: int, tax_window: str, start: int | None = None
) -> int | None:
    """First day (on or after `start`) whose tax window holds more than `threshold` days.

    The count can only rise on a presence day, so only the stays are searched.
    """
    if presence.total <= threshold:
        return None
    starts, ends, before = presence.starts, presence.ends, presence.before
    # Stays that end before `start` cannot hold the crossing.
    first_i = 0 if start is None else bisect_left(ends, start)
    # Every window ending in a stay lies within [start-365, end]: a cheap upper bound.
    outside = presence.upto_each([first - 366 for first in starts[first_i:]])
    for i in range(first_i, len(starts)):
        stay_start, end = starts[i], ends[i]
        if start is not None:
            stay_start = max(stay_start, start)
        if before[i] + end - starts[i] + 1 - outside[i - first_i] <= threshold:
            continue
        for first, last in _constant_length_pieces(stay_start, end, tax_window):
            # Inside a piece the window has one length, so its start is plain arithmetic.
            lag = last - window_start(last, tax_window)
            if presence.count(last - lag, last) <= threshold:
                continue
            lo, hi = first, last
            while lo < hi:
                mid = (lo + hi) // 2
                if presence.count(mid - lag, mid) > threshold:
                    hi = mid
                else:
                    lo = mid + 1
            return lo
    return None


def current_crossing(presence: Presence, *, on: int, threshold: int, tax_window: str) -> int | None:
    """The crossing that matters on `on`: the first day in `on`'s tax window or later (planned
    stays, an open stay projected) whose window holds more than `threshold` days (docs/rules.md §9).

    A crossing whose whole window ended before `on`'s window began no longer matters: the days
    that made it have left every 12-month period that contains `on`.
    """
    found = crossing_date(
        presence, threshold=threshold, tax_window=tax_window, start=window_start(on, tax_window)
    )
    if found is None:
        return None
    # While the traveller stays above the threshold, the crossing is the day the run began
    # (day 184), not the first day of `on`'s window, which moves on every day.
    return run_start(presence, found, threshold=threshold, tax_window=tax_window)


def run_start(presence: Presence, day: int, *, threshold: int, tax_window: str) -> int:
    """First day of the unbroken run of days up to presence day `day` whose tax windows all hold
    more than `threshold` days (docs/rules.md §9: "day 184 breaks the rule").

    Inside a stay the count never falls on a piece of constant window length; between stays it
    never rises, so only piece ends and the day before each stay need a look.
    """

    def over(x: int) -> bool:
        return presence.count(window_start(x, tax_window), x) > threshold

    if not over(day - 1):
        # The common case: the crossing begins its own run.
        return day
    i = presence.span_at(day)
    assert i is not None, "a crossing is a presence day"
    while True:
        start = presence.starts[i]
        later = day + 1
        for lo, hi in reversed(_constant_length_pieces(start, day, tax_window)):
            if not over(hi):
                return later
            if not over(lo):
                while lo < hi:
                    mid = (lo + hi) // 2
                    if over(mid):
                        hi = mid
                    else:
                        lo = mid + 1
                return lo
            later = lo
        if i == 0 or not over(start - 1):
            return start
        i -= 1
        day = presence.ends[i]


def next_crossing(presence: Presence, *, on: int, threshold: int, tax_window: str) -> int | None:
    """The first crossing after `on` that starts afresh: after a day back at or under the
    threshold, so a planned crossing shows even while an earlier one still holds (docs/rules.md §9).
    """
    day = run_end(presence, on, threshold=threshold, tax_window=tax_window)
    return crossing_date(presence, threshold=threshold, tax_window=tax_window, start=day + 1)


def run_end(presence: Presence, day: int, *, threshold: int, tax_window: str) -> int:
    """The first day from `day` on whose tax window holds `threshold` days or fewer.

    Between stays the count never rises, and inside a stay it never falls on a piece of
    constant window length, so the first such day is a piece's first day or found by a binary
    search in a gap. Within a year after the last presence day every window is empty.
    """

    def over(x: int) -> bool:
        return presence.count(window_start(x, tax_window), x) > threshold

    starts, ends = presence.starts, presence.ends
    while over(day):
        i = bisect_right(starts, day) - 1
        if i >= 0 and day <= ends[i]:
            # Inside a stay: only a piece's first day can be the first one back under.
            for lo, _ in _constant_length_pieces(day, ends[i], tax_window)[1:]:
                if not over(lo):
                    return lo
            day = ends[i] + 1
            continue
        # A gap up to the next stay (or a year on): the count only falls, so search it.
        last = starts[i + 1] - 1 if i + 1 < len(starts) else day + 366
        if over(last):
            day = last + 1
            continue
        lo, hi = day, last
        while lo < hi:
            mid = (lo + hi) // 2
            if over(mid):
                lo = mid + 1
            else:
                hi = mid
        return lo
    return day
