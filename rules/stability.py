"""How long an answer holds: the last day on which the same data gives the same figures.

A report depends on its evaluation day only through a few things (docs/rules.md, "How long a
report holds"): a stay that is still running grows every day (§1-2, §4); a planned stay begins
(§1); a presence day leaves the 90/180 window (§2, §11) or the tax window (§9); a calendar year
turns (§2 calendar-year cap, §6 Montage, §9 `days_in_calendar_year`); and a day the report names
(a crossing, a violation, a deadline, a re-entry day) is reached. `stable_until` lists the first
day each of these can happen and answers the day before the earliest. Whatever it cannot bound
answers `on` itself: re-evaluate tomorrow. It never reads the figures' meaning beyond that, so
a figure added to the report later is covered as long as it is a date or depends on these.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from rules.tax import window_start
from rules.types import Parameters, Stay
from rules.window import merge

Span = tuple[int, int | None]  # (entry, exit) as day ordinals; exit None: still present


def _next_year(day: int) -> int:
    return date(date.fromordinal(day).year + 1, 1, 1).toordinal()


def _first_present_from(spans: Sequence[tuple[int, int]], first: int) -> int | None:
    """The first presence day on or after `first` in merged, closed `spans`."""
    for start, end in spans:
        if end >= first:
            return max(start, first)
    return None


def _anniversary(day: date, years: int) -> date:
    """`day` `years` later; 29 February falls on 28 February (as `relativedelta` does)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def _dates(value: object) -> Iterable[date]:
    """The dates a report figure holds: itself, or the values of a mapping (re-entry days)."""
    if isinstance(value, date):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            if isinstance(item, date):
                yield item


def _answer(on: date, events: Iterable[int]) -> date:
    """The day before the earliest event after `on`; `on` itself if one is due tomorrow."""
    today = on.toordinal()
    first = min((max(event, today + 1) for event in events), default=_next_year(today))
    return date.fromordinal(first - 1)


def stable_until(
    raw: Sequence[Span], *, on: date, params: Parameters, figures: Mapping[str, object]
) -> date:
    """The last day on which `assess` gives `figures` again for the same stays and request.

    `raw` are the request's stays as (entry, exit) ordinals, visa stays included (they count
    for tax and the calendar year, docs/rules.md §9); `figures` the report computed for `on`.
    """
    today = on.toordinal()
    # A stay running on `on` (or open) grows tomorrow: its length, the days used, the tax days
    # and its deadlines move every day (§1, §2, §4, §9).
    if any(exit_ is None or entry <= today <= exit_ for entry, exit_ in raw):
        return on
    reentry = figures.get("earliest_reentry")
    if isinstance(reentry, Mapping):
        if any(day is None for day in reentry.values()):
            # "None within the search days" may become a day as the search moves on (§2).
            return on
        ends = {exit_ for _, exit_ in raw}
        if any(entry in ends for entry, _ in raw):
            # A same-day re-entry: the other choice's re-entry days decide `depends_on` (§1).
            return on
    spans = merge((entry, exit_) for entry, exit_ in raw if exit_ is not None)
    events = [_next_year(today)]  # days_in_calendar_year and the calendar-year cap restart
    # A planned stay begins: the current, relevant and past stays change (§1, §4).
    events += [entry for entry, _ in spans if entry > today][:1]
    # A presence day leaves the 90/180 window on the day `window_days` after it (§2, §11).
    leaving = _first_present_from(spans, today - params.window_days + 1)
    if leaving is not None:
        events.append(leaving + params.window_days)
    # ... and the tax window (§9) no earlier than 365 days after it (366 after a 29 February).
    leaving = _first_present_from(spans, window_start(today, params.tax_window))
    if leaving is not None:
        events.append(leaving + 365)
    crossing = figures.get("tax_183_crossing_date")
    if isinstance(crossing, date) and crossing <= on:
        # The crossing that matters leaves the windows that contain the evaluation day (§9).
        events.append(crossing.toordinal() + 365)
    # A day the report names is reached: a crossing becomes past, a deadline due, a re-entry day
    # (the first possible one is `on` itself until the day after it) moves on.
    for value in figures.values():
        events += [day.toordinal() for day in _dates(value) if day >= on]
    return _answer(on, events)


def montage_stable_until(
    stays: Sequence[Stay], *, on: date, year_mode: str, visa_from: date | None = None
) -> date:
    """The last day on which `montage_days` gives the same count for the same stays (§6)."""
    today = on.toordinal()
    if any(s.exit is None or s.entry <= on <= s.exit for s in stays):
        return on
    spans = merge((s.entry.toordinal(), s.exit.toordinal()) for s in stays if s.exit is not None)
    events = [_next_year(today)]
    events += [entry for entry, _ in spans if entry > today][:1]
    if year_mode == "rolling_365":
        leaving = _first_present_from(spans, today - 364)
        if leaving is not None:
            events.append(leaving + 365)
    elif year_mode == "visa_year" and visa_from is not None:
        years = max(0, on.year - visa_from.year)
        anniversary = _anniversary(visa_from, years)
        while anniversary <= on:
            years += 1
            anniversary = _anniversary(visa_from, years)
        events.append(anniversary.toordinal())
    return _answer(on, events)
