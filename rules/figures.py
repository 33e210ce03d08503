"""The report's figures for one same-day choice, one family of keys per function.

`figures()` turns (entry, exit) day ordinals into the keyword arguments of `Assessment` (all
but `citizenship_modelled`, `depends_on` and `visas`); docs/rules.md says what each key means.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rules import eqonaq, overstay, tax
from rules.law import Law
from rules.montage import first_over_annual_cap
from rules.reentry import earlier, earliest_reentry, legal_until
from rules.registration import registration, registration_upcoming
from rules.types import Parameters, Regime
from rules.validation import Span
from rules.window import Presence, first_violation, first_violation_by_law, merge, used
from rules.workdays import WorkingDays

Closed = tuple[int, int]  # [entry, last day] as day ordinals


def _iso(day: int | None) -> date | None:
    return None if day is None else date.fromordinal(day)


@dataclass(frozen=True, slots=True)
class Stays:
    """The stays on `today`: border crossings (`segments`), the presence they make, and where
    `today` falls among them."""

    today: int
    physical_presence: Presence
    segments: list[Closed]
    presence: Presence
    counted: Sequence[Span]
    current: Closed | None
    past: Closed | None
    future: Closed | None


def stays_on(raw: Sequence[Span], counted: Sequence[Span] | None, today: int, join: bool) -> Stays:
    """Merges the stays; with `join` False a same-day re-entry is a stay of its own (§1)."""
    physical = merge((entry, today if exit_ is None else exit_) for entry, exit_ in raw)
    counted_spans = raw if counted is None else counted
    if counted is None and join:
        spans = segments = physical
    else:
        segments = merge(
            ((entry, today if exit_ is None else exit_) for entry, exit_ in counted_spans),
            join_same_day=join,
        )
        spans = segments if join else merge(segments)
    # The stay containing `today` (the later one on a same-day re-entry), else the nearest past
    # and future ones.
    current = past = future = None
    for start, end in segments:
        if end < today:
            past = (start, end)
        elif start <= today:
            current = (start, end)
        else:
            future = (start, end)
            break
    presence = Presence(spans)
    # Tax and calendar-year figures count physical presence, visa stays included (§9).
    physical_presence = presence if spans is physical else Presence(physical)
    return Stays(today, physical_presence, segments, presence, counted_spans, current, past, future)


def _window_figures(s: Stays, law: Law, *, kz: bool, default_limit: int) -> dict[str, Any]:
    """Days used, latest legal exit and overstay (docs/rules.md §1-2, §5, §11)."""
    today = s.today
    used_on = used(s.presence, today, law.window)
    limit = law.at(today if s.current is None else s.current[0])[1]
    limit = default_limit if limit is None else limit
    latest_exit = legal_until(s.presence, s.current[0], law) if s.current is not None else None
    # Overstay: the current stay up to `on`, else the last stay that ended before `on`.
    overstay_stay = s.current if s.current is not None else s.past
    overstay_days = 0
    if overstay_stay is not None:
        end = today if s.current is not None else overstay_stay[1]
        last = (
            latest_exit if s.current is not None else legal_until(s.presence, overstay_stay[0], law)
        )
        overstay_days = end - overstay_stay[0] + 1 if last is None else max(0, end - last)
    return {
        "present_on_query_date": s.current is not None,
        "current_stay_entry": _iso(s.current[0]) if s.current is not None else None,
        "current_stay_length": today - s.current[0] + 1 if s.current is not None else None,
        "days_used": used_on,
        "remaining": max(0, limit - used_on),
        "excess_days": max(0, used_on - limit),
        "latest_legal_exit": _iso(latest_exit),
        "overstay_stay_entry": _iso(overstay_stay[0]) if overstay_stay is not None else None,
        "overstay_days": overstay_days,
        "overstay_tier": overstay.overstay_tier(overstay_days) if kz else None,
        "overstay_band": overstay.overstay_band(overstay_days) if kz else None,
    }


def _plan_figures(
    s: Stays, law: Law, *, planned_entry: date | None, reentry_lengths: list[int] | None, join: bool
) -> dict[str, Any]:
    """Planned stay, earliest re-entry and the first violation of any stay (§2, §11)."""
    today = s.today
    planned_exit = planned_days = None
    if planned_entry is not None:
        entry = planned_entry.toordinal()
        planned_exit = legal_until(s.presence, entry, law)
        planned_days = 0 if planned_exit is None else planned_exit - entry + 1
    reentry: dict[int, date | None] | None = None
    if reentry_lengths is not None:
        # Only presence up to `on` is history; planned stays are cut off.
        presence = s.presence
        history = (
            presence if not presence.ends or presence.ends[-1] <= today else presence.clipped(today)
        )
        start = today + 1 if s.current is not None else today
        reentry = {n: _iso(earliest_reentry(history, start, n, law)) for n in reentry_lengths}
    violation = _first_violation(s, law, join=join)
    return {
        "planned_latest_legal_exit": _iso(planned_exit),
        "planned_max_stay_days": planned_days,
        "earliest_reentry": reentry,
        "plan_compliant": violation is None,
        "first_violation_date": _iso(violation),
    }


def _first_violation(s: Stays, law: Law, *, join: bool) -> int | None:
    uniform = law.uniform()
    if uniform is None:
        violation = first_violation_by_law(s.presence, s.segments, window=law.window, law=law.at)
    else:
        cap, limit, limit_from = uniform
        violation = first_violation(
            s.presence,
            window=law.window,
            limit=limit,
            cap=cap,
            stays=None if join else s.segments,
            limit_from=limit_from,
        )
    if law.annual_cap is not None:
        violation = earlier(violation, first_over_annual_cap(s.presence, law.annual_cap))
    return violation


def _kz_figures(s: Stays, *, on: date, params: Parameters, calendar: WorkingDays) -> dict[str, Any]:
    """Registration (§4) and eQonaq (§3) of the relevant stay: current, else next, else last."""
    relevant = s.current or s.future or s.past
    keys = (
        "relevant_stay_entry",
        "registration_required",
        "registration_deadline",
        "registration_upcoming_deadline",
        "eqonaq_deadline",
        "eqonaq_deadline_calendar",
        "eqonaq_calendar_confirmed",
    )
    if relevant is None:
        return dict.fromkeys(keys)
    entry_day = date.fromordinal(relevant[0])
    registered = registration(
        entry_day,
        relevant[1] - relevant[0] + 1,
        threshold_days=params.registration_threshold_days,
        deadline_day=params.registration_deadline_day,
    )
    upcoming = None
    open_entry = next((entry for entry, exit_ in s.counted if exit_ is None), None)
    if relevant is s.current and open_entry is not None and relevant[0] <= open_entry:
        upcoming = registration_upcoming(entry_day, on=on, params=params)
    deadline = eqonaq.eqonaq_deadline(
        entry_day,
        counts_arrival_day=params.eqonaq_counts_arrival_day,
        working_days=params.eqonaq_working_days,
        calendar=calendar,
    )
    return {
        "relevant_stay_entry": entry_day,
        "registration_required": registered.required,
        "registration_deadline": registered.deadline,
        "registration_upcoming_deadline": upcoming,
        "eqonaq_deadline": deadline,
        "eqonaq_deadline_calendar": eqonaq.eqonaq_deadline_calendar(
            entry_day, days=params.eqonaq_calendar_days
        ),
        "eqonaq_calendar_confirmed": calendar.confirmed(entry_day, deadline),
    }


def _tax_figures(s: Stays, raw: Sequence[Span], *, on: date, params: Parameters) -> dict[str, Any]:
    """Calendar-year days and the DTA's 183 days, physical presence (docs/rules.md §9)."""
    today = s.today
    physical = s.physical_presence
    year_start = date(on.year, 1, 1).toordinal()
    projected = physical
    if any(exit_ is None for _, exit_ in raw):
        # The open stay projected 400 days on, as if the traveller stayed. No stay
        # starts after the open one (validated), so its merged stay is the last.
        projected = physical.extended(today + params.tax_projection_days)
    threshold, window = params.tax_threshold_days, params.tax_window
    crossing = tax.current_crossing(projected, on=today, threshold=threshold, tax_window=window)
    # A crossing after `on` is the next one; one on or before it may be followed by another.
    next_crossing = crossing
    if crossing is not None and crossing <= today:
        next_crossing = tax.next_crossing(
            projected, on=today, threshold=threshold, tax_window=window
        )
    return {
        "days_in_calendar_year": physical.count(year_start, today),
        "tax_days": tax.tax_days(physical, today, window),
        "tax_183_crossing_date": _iso(crossing),
        "tax_183_exceeded": crossing is not None and crossing <= today,
        "tax_183_next_crossing_date": _iso(next_crossing),
    }


def figures(
    raw: Sequence[Span],
    counted: Sequence[Span] | None,
    *,
    regime: Regime,
    on: date,
    planned_entry: date | None,
    reentry_lengths: list[int] | None,
    calendar: WorkingDays,
    params: Parameters,
    law: Law,
) -> dict[str, Any]:
    """Every figure of the report for one same-day choice (`params.merge_same_day_reentry`)."""
    kz = regime is Regime.KZ_VISA_FREE
    join = params.merge_same_day_reentry
    s = stays_on(raw, counted, on.toordinal(), join)
    found = _window_figures(s, law, kz=kz, default_limit=params.max_days)
    found |= _plan_figures(
        s, law, planned_entry=planned_entry, reentry_lengths=reentry_lengths, join=join
    )
    if kz:
        found |= _kz_figures(s, on=on, params=params, calendar=calendar)
    else:
        found |= {
            key: None
            for key in (
                "relevant_stay_entry",
                "registration_required",
                "registration_deadline",
                "registration_upcoming_deadline",
                "eqonaq_deadline",
                "eqonaq_deadline_calendar",
                "eqonaq_calendar_confirmed",
            )
        }
    found |= _tax_figures(s, raw, on=on, params=params)
    return found
