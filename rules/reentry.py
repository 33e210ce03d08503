"""Latest legal exit and earliest re-entry under a `Law` (docs/rules.md §1-2, §11).

L(E), the last legal day of a stay entered on E, and the first entry on or after a day that
allows a legal stay of N days. Each stay is held to the limits in force on its entry day.
"""

from datetime import date

from rules.law import Law
from rules.window import Presence, earliest_entry, latest_legal_day


def earlier(first: int | None, second: int | None) -> int | None:
    """The earlier of two days, either of which may be None (no such day)."""
    if first is None:
        return second
    return first if second is None else min(first, second)


def year_bounds(day: int) -> tuple[int, int]:
    year = date.fromordinal(day).year
    return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()


def annual_bound(presence: Presence, entry: int, cap_days: int) -> int | None:
    """Last day of a stay entered on `entry` within egov.kz's calendar-year cap (docs/rules.md §2).

    None when the cap does not end the stay within its entry's year; the part in the next
    year is at most the per-stay cap, below the annual cap, so it never binds there.
    """
    year_start, year_end = year_bounds(entry)
    last = entry + cap_days - presence.count(year_start, entry - 1) - 1
    return last if last < year_end else None


def legal_until(presence: Presence, entry: int, law: Law) -> int | None:
    """L(entry): the last day of a legal stay entered on `entry`, None if the entry day fails."""
    cap, limit = law.at(entry)
    last = latest_legal_day(presence, entry, window=law.window, limit=limit, cap=cap)
    if last is not None and law.annual_cap is not None:
        bound = annual_bound(presence, entry, law.annual_cap)
        last = None if bound is not None and bound < entry else earlier(last, bound)
    return last


def _fit(history: Presence, entry: int, length: int, law: Law, budget: int) -> int | None:
    """First E >= entry with a legal stay of `length` days under the limits at `entry`."""
    cap, limit = law.at(entry)
    moved = entry
    if limit is None:
        if cap is not None and length > cap:
            return None
    else:
        found = earliest_entry(
            history,
            entry,
            length,
            window=law.window,
            limit=limit,
            cap=cap,
            search_days=budget,
        )
        if found is None:
            return None
        moved = found
    if law.annual_cap is not None:
        year_start, year_end = year_bounds(moved)
        room = max(0, law.annual_cap - history.count(year_start, moved - 1))
        if min(length, year_end - moved + 1) > room:
            moved = max(moved, year_end + 1 - room)
    return moved


def earliest_reentry(history: Presence, start: int, length: int, law: Law) -> int | None:
    """First entry on or after `start` with a legal stay of `length` days, or None.

    Within one set of limits each rule only pushes the entry later, and a later entry never
    breaks a rule the earlier one met (history days only leave the windows), so the rules are
    applied in turn until none moves the entry. When no entry fits before other limits begin
    (China from 10 Nov 2023, docs/rules.md §15a), the search goes on from that day.
    """
    entry = start
    for _ in range(64):
        if entry - start >= law.search_days:
            return None
        moved = _fit(history, entry, length, law, law.search_days - (entry - start))
        later = law.next_start(entry)
        if moved is None or (later is not None and moved >= later):
            if later is None:
                return None
            entry = later
            continue
        if moved == entry:
            return entry
        entry = moved
    return None
