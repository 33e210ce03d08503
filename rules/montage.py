"""Montage (installation) under a B2 visa: at most 120 days within a year (docs/rules.md §6).

How the year is counted is not stated anywhere (low confidence, docs/rules.md §6 "year_mode =
calendar|rolling_365|visa_year"): the default is the calendar year, "rolling_365" uses
[D-364, D], and "visa_year" the years of the B2 visa, each starting on an anniversary of its
first valid day. Days are presence days, entry and exit included; the caller passes the days
of Montage service (the trips recorded with that purpose, or the contract's service days).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.types import DEFAULTS, MONTAGE_YEAR_MODES, Stay
from rules.window import Presence, merge


@dataclass(frozen=True, slots=True)
class MontageUsage:
    """Montage days in the year up to `on`, the cap, and the first day over it (if planned)."""

    days: int
    cap: int
    remaining: int
    period_start: date
    period_end: date
    first_violation_date: date | None


def anniversary(day: date, years: int) -> date:
    """`day` `years` years on; 29 Feb falls on 1 Mar in a common year, so that the year before
    it ends on 28 Feb (a visa from 29 Feb 2024 has its first year to 28 Feb 2025)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _visa_year(day: int, visa_from: date) -> tuple[date, date]:
    """First and last day of the visa year containing `day` (the first one before `visa_from`)."""
    current = date.fromordinal(day)
    years = max(0, current.year - visa_from.year)
    if years > 0 and anniversary(visa_from, years) > current:
        years -= 1
    start = anniversary(visa_from, years)
    return start, date.fromordinal(anniversary(visa_from, years + 1).toordinal() - 1)


def _visa_year_start(day: int, visa_from: date) -> date:
    """The anniversary of `visa_from` on or before `day` (`visa_from` itself before it)."""
    return _visa_year(day, visa_from)[0]


def _period_start(day: int, year_mode: str, visa_from: date | None = None) -> int:
    if year_mode == "rolling_365":
        return day - 364
    if year_mode == "visa_year" and visa_from is not None:
        return _visa_year_start(day, visa_from).toordinal()
    return date(date.fromordinal(day).year, 1, 1).toordinal()


def _period_end(day: int, year_mode: str, visa_from: date | None) -> int:
    """Last day of the fixed year containing `day` (calendar or visa year)."""
    if year_mode == "visa_year" and visa_from is not None:
        return _visa_year(day, visa_from)[1].toordinal()
    return date(date.fromordinal(day).year, 12, 31).toordinal()


def _presence(stays: Sequence[Stay], on: date) -> Presence:
    today = on.toordinal()
    return Presence(
        merge((s.entry.toordinal(), today if s.exit is None else s.exit.toordinal()) for s in stays)
    )


def montage_days(
    stays: Sequence[Stay],
    *,
    on: date,
    year_mode: str = DEFAULTS.montage_year_mode,
    visa_from: date | None = None,
) -> int:
    """Montage presence days in the year ending on `on` (docs/rules.md §6)."""
    return montage_usage(stays, on=on, year_mode=year_mode, visa_from=visa_from).days


def montage_usage(
    stays: Sequence[Stay],
    *,
    on: date,
    year_mode: str = DEFAULTS.montage_year_mode,
    cap: int = DEFAULTS.montage_cap_days,
    visa_from: date | None = None,
) -> MontageUsage:
    """Days used, cap and remaining for Montage stays; open stays run up to `on` (docs/rules.md §6).

    `first_violation_date` is the first day of any stay, planned ones included, on which the
    days of its year exceed the cap. "visa_year" needs `visa_from`, the visa's first valid day.
    """
    if year_mode not in MONTAGE_YEAR_MODES:
        raise ValueError(f"year_mode must be one of {MONTAGE_YEAR_MODES}, not {year_mode!r}")
    if year_mode == "visa_year" and visa_from is None:
        raise ValueError("year_mode visa_year needs visa_from, the visa's first valid day")
    presence = _presence(stays, on)
    today = on.toordinal()
    start = _period_start(today, year_mode, visa_from)
    used = presence.count(start, today)
    return MontageUsage(
        days=used,
        cap=cap,
        remaining=max(0, cap - used),
        period_start=date.fromordinal(start),
        period_end=on,
        first_violation_date=_first_over_cap(presence, cap, year_mode, visa_from),
    )


def first_over_annual_cap(presence: Presence, cap: int) -> int | None:
    """First presence day whose calendar year holds more than `cap` days (§2, egov.kz)."""
    found = _first_over_cap(presence, cap, "calendar", None)
    return None if found is None else found.toordinal()


def _first_over_cap(
    presence: Presence, cap: int, year_mode: str, visa_from: date | None
) -> date | None:
    if presence.total <= cap:
        return None
    for first, last in zip(presence.starts, presence.ends, strict=True):
        pieces = [(first, last)]
        if year_mode != "rolling_365":
            # A new (calendar or visa) year starts the count again: search each year's part.
            pieces = []
            piece_start = first
            while piece_start <= last:
                year_end = _period_end(piece_start, year_mode, visa_from)
                pieces.append((piece_start, min(last, year_end)))
                piece_start = year_end + 1
        for lo, hi in pieces:
            if presence.count(_period_start(hi, year_mode, visa_from), hi) <= cap:
                continue
            while lo < hi:
                mid = (lo + hi) // 2
                if presence.count(_period_start(mid, year_mode, visa_from), mid) > cap:
                    hi = mid
                else:
                    lo = mid + 1
            return date.fromordinal(lo)
    return None
