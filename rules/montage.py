"""Montage (installation) under a B2 visa: at most 120 days within a year (RULES.md §6).

How the year is counted is not stated anywhere (low confidence): the default is the calendar
year, the option "rolling_365" uses [D-364, D]. Days are presence days, entry and exit included.
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


def _period_start(day: int, year_mode: str) -> int:
    if year_mode == "rolling_365":
        return day - 364
    return date(date.fromordinal(day).year, 1, 1).toordinal()


def _presence(stays: Sequence[Stay], on: date) -> Presence:
    today = on.toordinal()
    return Presence(
        merge((s.entry.toordinal(), today if s.exit is None else s.exit.toordinal()) for s in stays)
    )


def montage_days(
    stays: Sequence[Stay], *, on: date, year_mode: str = DEFAULTS.montage_year_mode
) -> int:
    """Montage presence days in the year ending on `on` (RULES.md §6)."""
    return montage_usage(stays, on=on, year_mode=year_mode).days


def montage_usage(
    stays: Sequence[Stay],
    *,
    on: date,
    year_mode: str = DEFAULTS.montage_year_mode,
    cap: int = DEFAULTS.montage_cap_days,
) -> MontageUsage:
    """Days used, cap and remaining for Montage stays; open stays run up to `on` (RULES.md §6).

    `first_violation_date` is the first day of any stay, planned ones included, on which the
    days of its year exceed the cap.
    """
    if year_mode not in MONTAGE_YEAR_MODES:
        raise ValueError(f"year_mode must be one of {MONTAGE_YEAR_MODES}, not {year_mode!r}")
    presence = _presence(stays, on)
    today = on.toordinal()
    start = _period_start(today, year_mode)
    used = presence.count(start, today)
    return MontageUsage(
        days=used,
        cap=cap,
        remaining=max(0, cap - used),
        period_start=date.fromordinal(start),
        period_end=on,
        first_violation_date=_first_over_cap(presence, cap, year_mode),
    )


def _first_over_cap(presence: Presence, cap: int, year_mode: str) -> date | None:
    if presence.total <= cap:
        return None
    for first, last in zip(presence.starts, presence.ends, strict=True):
        pieces = [(first, last)]
        if year_mode == "calendar":
            # A new calendar year starts the count again: search each year's part separately.
            pieces = []
            piece_start = first
            while piece_start <= last:
                year_end = date(date.fromordinal(piece_start).year, 12, 31).toordinal()
                pieces.append((piece_start, min(last, year_end)))
                piece_start = year_end + 1
        for lo, hi in pieces:
            if presence.count(_period_start(hi, year_mode), hi) <= cap:
                continue
            while lo < hi:
                mid = (lo + hi) // 2
                if presence.count(_period_start(mid, year_mode), mid) > cap:
                    hi = mid
                else:
                    lo = mid + 1
            return date.fromordinal(lo)
    return None
