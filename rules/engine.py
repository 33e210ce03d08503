"""`assess`: every figure of the JSON contract for one traveller, as typed values.

Stays are turned into day ordinals, merged once and put into a `Presence`; every figure is then
a few binary searches over the stays' breakpoints (see `rules.window`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

from rules import eqonaq, overstay, tax
from rules.citizenship import kz_visa_free_parameters
from rules.errors import RequestError
from rules.montage import first_over_annual_cap
from rules.registration import registration, registration_upcoming
from rules.stability import stable_until
from rules.types import DEFAULTS, EARLIEST_DAY, LATEST_DAY, Parameters, Regime, Stay, VisaKind
from rules.window import Presence, earliest_entry, first_violation, latest_legal_day, merge, used
from rules.workdays import WorkingDays

# Visas whose periods replace the visa-free counting (docs/rules.md §7, §11, §12). A Schengen C visa
# does not: its days still count toward 90/180.
VISA_KINDS_EXEMPT_FROM_90_180 = frozenset(VisaKind) - {VisaKind.SCHENGEN_C}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The report of the contract; attribute names are the report's keys."""

    present_on_query_date: bool
    current_stay_entry: date | None
    current_stay_length: int | None
    days_used: int
    remaining: int
    excess_days: int
    latest_legal_exit: date | None
    overstay_stay_entry: date | None
    overstay_days: int
    overstay_tier: str | None
    overstay_band: str | None
    planned_latest_legal_exit: date | None
    planned_max_stay_days: int | None
    earliest_reentry: Mapping[int, date | None] | None
    plan_compliant: bool
    first_violation_date: date | None
    relevant_stay_entry: date | None
    registration_required: bool | None
    registration_deadline: date | None
    eqonaq_deadline: date | None
    eqonaq_deadline_calendar: date | None
    days_in_calendar_year: int
    tax_days: int
    tax_183_crossing_date: date | None
    tax_183_exceeded: bool
    # Added after the first contract: each is null or empty where it does not apply.
    tax_183_next_crossing_date: date | None
    registration_upcoming_deadline: date | None
    eqonaq_calendar_confirmed: bool | None
    citizenship_modelled: bool | None
    depends_on: tuple[str, ...]
    # The last day on which the same data gives this same report (rules/stability.py).
    stable_until: date

    def to_dict(self) -> dict:
        """The report as JSON-ready values: dates as YYYY-MM-DD, re-entry keys as strings."""
        report = {}
        for name in REPORT_KEYS:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif name == "earliest_reentry" and value is not None:
                value = {str(n): None if d is None else d.isoformat() for n, d in value.items()}
            elif name == "depends_on":
                value = list(value)
            report[name] = value
        return report


REPORT_KEYS = tuple(field.name for field in fields(Assessment))


def _iso(day: int | None) -> date | None:
    return None if day is None else date.fromordinal(day)


Span = tuple[int, int | None]  # (entry, exit) as day ordinals; exit None: still present


def _d(day: int) -> str:
    return date.fromordinal(day).isoformat()


_EARLIEST = EARLIEST_DAY.toordinal()
_LATEST = LATEST_DAY.toordinal()


def _in_range(day: int, field: str) -> None:
    if not _EARLIEST <= day <= _LATEST:
        raise RequestError(
            "bad_request",
            f"{field}: {_d(day)} is outside the dates this engine counts "
            f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})",
        )


def validate(raw: Sequence[Span], *, on: int, planned_entry: int | None = None) -> None:
    """Raises `RequestError` for impossible input, in the contract's order of precedence."""
    # Windows reach a year back and projections years on: dates near the ends of the calendar
    # would overflow, so they are refused first, like any malformed field.
    _in_range(on, "on")
    for i, (entry, exit_) in enumerate(raw):
        # The field name is only formatted on an error: this loop runs for every request.
        if not _EARLIEST <= entry <= _LATEST:
            _in_range(entry, f"stays[{i}].entry")
        if exit_ is not None and not _EARLIEST <= exit_ <= _LATEST:
            _in_range(exit_, f"stays[{i}].exit")
    if planned_entry is not None:
        _in_range(planned_entry, "planned_entry")
    for i, (entry, exit_) in enumerate(raw):
        if exit_ is not None and exit_ < entry:
            raise RequestError(
                "exit_before_entry", f"stays[{i}]: exit {_d(exit_)} is before entry {_d(entry)}"
            )
    open_stays = [i for i, (_, exit_) in enumerate(raw) if exit_ is None]
    if len(open_stays) > 1:
        raise RequestError(
            "multiple_open_stays",
            f"stays: stays {', '.join(str(i) for i in open_stays)} all have no exit; "
            "only one stay can still be running",
        )
    if open_stays:
        i = open_stays[0]
        open_entry = raw[i][0]
        if open_entry > on:
            raise RequestError(
                "open_stay_starts_after_query_date",
                f"stays[{i}]: the open stay starts on {_d(open_entry)}, "
                f"after the query date {_d(on)}",
            )
        for j, (entry, _) in enumerate(raw):
            # Entering again after the open stay began is impossible without an exit.
            if entry > open_entry:
                raise RequestError(
                    "stay_after_open_stay",
                    f"stays[{j}]: starts on {_d(entry)}, after the open stay "
                    f"stays[{i}] began on {_d(open_entry)}",
                )
    if planned_entry is not None:
        for i, (entry, exit_) in enumerate(raw):
            if entry <= planned_entry <= (on if exit_ is None else exit_):
                raise RequestError(
                    "planned_entry_is_a_presence_day",
                    f"planned_entry: {_d(planned_entry)} is already a day of stays[{i}]",
                )


def merged_spans(stays: Iterable[Stay], on: date, *, open_until: date | None = None) -> list:
    """Merged [entry, last day] ordinal spans; an open stay runs to `open_until` (default `on`)."""
    open_end = (on if open_until is None else open_until).toordinal()
    return merge(
        (s.entry.toordinal(), open_end if s.exit is None else s.exit.toordinal()) for s in stays
    )


def counted_stays(stays: Sequence[Stay]) -> list[Stay]:
    """Stays that count toward 90/180: those not under a visa that replaces the rule."""
    return [s for s in stays if s.visa is None or s.visa.kind not in VISA_KINDS_EXEMPT_FROM_90_180]


def _ordinals(stays: Iterable[Stay]) -> list[Span]:
    return [(s.entry.toordinal(), None if s.exit is None else s.exit.toordinal()) for s in stays]


def assess(
    stays: Sequence[Stay],
    *,
    regime: Regime | str,
    on: date,
    planned_entry: date | None = None,
    reentry_lengths: Iterable[int] | None = None,
    holidays: Iterable[date] | None = None,
    extra_working_days: Iterable[date] = (),
    options: Parameters | None = None,
    transferred_working_days: Iterable[date] | None = None,
    calendar_years: Iterable[int] | None = None,
    citizenship: str | None = None,
) -> Assessment:
    """Every figure of the contract for `stays` on `on` (docs/rules.md §1-5, §9, §11).

    `reentry_lengths` None gives `earliest_reentry` None (the request had none). Raises
    `RequestError` for impossible input; being over a limit is an answer, not an error.
    Stays under a visa that replaces the visa-free rules count only for the tax and
    calendar-year figures (docs/rules.md §7, §9, §11).
    """
    raw = _ordinals(stays)
    counted = counted_stays(stays)
    return evaluate(
        raw,
        counted=None if len(counted) == len(stays) else _ordinals(counted),
        regime=regime,
        on=on,
        planned_entry=planned_entry,
        reentry_lengths=reentry_lengths,
        holidays=holidays,
        extra_working_days=extra_working_days,
        options=options,
        transferred_working_days=transferred_working_days,
        calendar_years=calendar_years,
        citizenship=citizenship,
    )


# Report keys whose value is the verdict: when one of them changes with the same-day choice,
# the report says it depends on that choice (`depends_on`).
VERDICT_KEYS = (
    "latest_legal_exit",
    "overstay_days",
    "overstay_tier",
    "planned_latest_legal_exit",
    "earliest_reentry",
    "plan_compliant",
    "first_violation_date",
    "registration_required",
    "registration_deadline",
    "registration_upcoming_deadline",
)


def evaluate(
    raw: Sequence[Span],
    *,
    counted: Sequence[Span] | None = None,
    regime: Regime | str,
    on: date,
    planned_entry: date | None = None,
    reentry_lengths: Iterable[int] | None = None,
    holidays: Iterable[date] | None = None,
    extra_working_days: Iterable[date] = (),
    options: Parameters | None = None,
    transferred_working_days: Iterable[date] | None = None,
    calendar_years: Iterable[int] | None = None,
    citizenship: str | None = None,
) -> Assessment:
    """`assess` over (entry, exit) day ordinals; `counted` None: every stay counts for 90/180.

    `citizenship` picks the Kazakh visa-free limits of that nationality (docs/rules.md §15); one the
    engine does not model keeps the defaults and reports `citizenship_modelled` false.
    """
    params = DEFAULTS if options is None else options
    regime = Regime(regime)
    modelled = None
    if citizenship is not None:
        modelled = True
        if regime is Regime.KZ_VISA_FREE:
            specific = kz_visa_free_parameters(citizenship, params)
            modelled = specific is not None
            params = params if specific is None else specific
    validate(
        raw,
        on=on.toordinal(),
        planned_entry=None if planned_entry is None else planned_entry.toordinal(),
    )
    calendar = WorkingDays.of(
        holidays,
        extra_working_days,
        transferred_working_days=transferred_working_days,
        years=calendar_years,
    )
    lengths = None if reentry_lengths is None else list(reentry_lengths)
    arguments = {
        "regime": regime,
        "on": on,
        "planned_entry": planned_entry,
        "reentry_lengths": lengths,
        "calendar": calendar,
    }
    figures = _figures(raw, counted, params=params, **arguments)
    depends_on: tuple[str, ...] = ()
    if _has_same_day_reentry(raw if counted is None else counted, on.toordinal()):
        other = replace(params, merge_same_day_reentry=not params.merge_same_day_reentry)
        alternative = _figures(raw, counted, params=other, **arguments)
        if any(figures[key] != alternative[key] for key in VERDICT_KEYS):
            depends_on = ("merge_same_day_reentry",)
    until = stable_until(raw, on=on, params=params, figures=figures)
    return Assessment(
        **figures, citizenship_modelled=modelled, depends_on=depends_on, stable_until=until
    )


def _has_same_day_reentry(spans: Sequence[Span], today: int) -> bool:
    """Whether some stay is entered on the day another ends (docs/rules.md §1, "Edge cases")."""
    ends = {today if exit_ is None else exit_ for _, exit_ in spans}
    # A cheap test first: most histories have no entry on any stay's last day.
    if ends.isdisjoint(entry for entry, _ in spans):
        return False
    closed = [(entry, today if exit_ is None else exit_) for entry, exit_ in spans]
    return len(merge(closed)) != len(merge(closed, join_same_day=False))


def _figures(
    raw: Sequence[Span],
    counted: Sequence[Span] | None,
    *,
    regime: Regime,
    on: date,
    planned_entry: date | None,
    reentry_lengths: list[int] | None,
    calendar: WorkingDays,
    params: Parameters,
) -> dict:
    """The report's figures but `citizenship_modelled` and `depends_on`, as `Assessment`
    keyword arguments."""
    kz = regime is Regime.KZ_VISA_FREE
    window = params.window_days
    limit = params.max_days
    cap = params.per_stay_cap_days if kz else None
    today = on.toordinal()
    join = params.merge_same_day_reentry
    # docs/rules.md §2: 90/180 binds KZ stays entered from 27 Jan 2023; earlier ones the cap only.
    limit_from = params.kz_90_180_from.toordinal() if kz else None
    annual_cap = params.kz_annual_cap_days if kz and params.kz_annual_cap else None

    physical_spans = merge((entry, today if exit_ is None else exit_) for entry, exit_ in raw)
    counted_spans = raw if counted is None else counted
    if counted is None and join:
        spans = segments = physical_spans
    else:
        # Stays as border crossings: with `join` False a same-day re-entry is a stay of its own.
        segments = merge(
            ((entry, today if exit_ is None else exit_) for entry, exit_ in counted_spans),
            join_same_day=join,
        )
        spans = segments if join else merge(segments)
    presence = Presence(spans)

    def limit_for(entry: int) -> int | None:
        return None if limit_from is not None and entry < limit_from else limit

    def legal(entry: int) -> int | None:
        last = latest_legal_day(presence, entry, window=window, limit=limit_for(entry), cap=cap)
        if last is not None and annual_cap is not None:
            bound = _annual_bound(presence, entry, annual_cap)
            last = None if bound is not None and bound < entry else _earlier(last, bound)
        return last

    # The stay containing `on` (the later one on a same-day re-entry), else the nearest past
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

    used_on = used(presence, today, window)
    latest_exit = legal(current[0]) if current is not None else None

    # Overstay: the current stay up to `on`, else the last stay that ended before `on`.
    overstay_stay = current if current is not None else past
    overstay_days = 0
    if overstay_stay is not None:
        end = today if current is not None else overstay_stay[1]
        last = latest_exit if current is not None else legal(overstay_stay[0])
        overstay_days = end - overstay_stay[0] + 1 if last is None else max(0, end - last)

    planned_exit = planned_days = None
    if planned_entry is not None:
        entry = planned_entry.toordinal()
        planned_exit = legal(entry)
        planned_days = 0 if planned_exit is None else planned_exit - entry + 1

    reentry = None
    if reentry_lengths is not None:
        # Only presence up to `on` is history; planned stays are cut off.
        history = (
            presence if not presence.ends or presence.ends[-1] <= today else presence.clipped(today)
        )
        start = today + 1 if current is not None else today
        reentry = {}
        for n in reentry_lengths:
            found = _earliest_reentry(
                history,
                start,
                n,
                limit_for=limit_for,
                annual_cap=annual_cap,
                params=params,
                cap=cap,
            )
            reentry[n] = _iso(found)

    violation = first_violation(
        presence,
        window=window,
        limit=limit,
        cap=cap,
        stays=None if join else segments,
        limit_from=limit_from,
    )
    if annual_cap is not None:
        violation = _earlier(violation, first_over_annual_cap(presence, annual_cap))

    relevant = registration_required = registration_deadline = upcoming = None
    eqonaq_deadline = eqonaq_calendar = calendar_confirmed = None
    if kz:
        relevant = current or future or past
    if relevant is not None:
        entry_day = date.fromordinal(relevant[0])
        registered = registration(
            entry_day,
            relevant[1] - relevant[0] + 1,
            threshold_days=params.registration_threshold_days,
            deadline_day=params.registration_deadline_day,
        )
        registration_required = registered.required
        registration_deadline = registered.deadline
        open_entry = next((entry for entry, exit_ in counted_spans if exit_ is None), None)
        if relevant is current and open_entry is not None and current[0] <= open_entry:
            upcoming = registration_upcoming(entry_day, on=on, params=params)
        eqonaq_deadline = eqonaq.eqonaq_deadline(
            entry_day,
            counts_arrival_day=params.eqonaq_counts_arrival_day,
            working_days=params.eqonaq_working_days,
            calendar=calendar,
        )
        eqonaq_calendar = eqonaq.eqonaq_deadline_calendar(
            entry_day, days=params.eqonaq_calendar_days
        )
        calendar_confirmed = calendar.confirmed(entry_day, eqonaq_deadline)

    # Tax and calendar-year figures count physical presence, visa stays included (docs/rules.md §9).
    physical = presence if spans is physical_spans else Presence(physical_spans)
    year_start = date(on.year, 1, 1).toordinal()
    in_year = physical.count(year_start, today)
    tax_now = tax.tax_days(physical, today, params.tax_window)
    projected = physical
    if any(exit_ is None for _, exit_ in raw):
        # The open stay projected 400 days on, as if the traveller stayed. No stay
        # starts after the open one (validated), so its merged stay is the last.
        projected = physical.extended(today + params.tax_projection_days)
    threshold = params.tax_threshold_days
    crossing = tax.current_crossing(
        projected, on=today, threshold=threshold, tax_window=params.tax_window
    )
    # A crossing after `on` is the next one; one on or before it may be followed by another.
    next_crossing = crossing
    if crossing is not None and crossing <= today:
        next_crossing = tax.next_crossing(
            projected, on=today, threshold=threshold, tax_window=params.tax_window
        )

    return dict(
        present_on_query_date=current is not None,
        current_stay_entry=_iso(current[0]) if current is not None else None,
        current_stay_length=today - current[0] + 1 if current is not None else None,
        days_used=used_on,
        remaining=max(0, limit - used_on),
        excess_days=max(0, used_on - limit),
        latest_legal_exit=_iso(latest_exit),
        overstay_stay_entry=_iso(overstay_stay[0]) if overstay_stay is not None else None,
        overstay_days=overstay_days,
        overstay_tier=overstay.overstay_tier(overstay_days) if kz else None,
        overstay_band=overstay.overstay_band(overstay_days) if kz else None,
        planned_latest_legal_exit=_iso(planned_exit),
        planned_max_stay_days=planned_days,
        earliest_reentry=reentry,
        plan_compliant=violation is None,
        first_violation_date=_iso(violation),
        relevant_stay_entry=_iso(relevant[0]) if relevant is not None else None,
        registration_required=registration_required,
        registration_deadline=registration_deadline,
        eqonaq_deadline=eqonaq_deadline,
        eqonaq_deadline_calendar=eqonaq_calendar,
        days_in_calendar_year=in_year,
        tax_days=tax_now,
        tax_183_crossing_date=_iso(crossing),
        tax_183_exceeded=crossing is not None and crossing <= today,
        tax_183_next_crossing_date=_iso(next_crossing),
        registration_upcoming_deadline=upcoming,
        eqonaq_calendar_confirmed=calendar_confirmed,
    )


def _earlier(first: int | None, second: int | None) -> int | None:
    """The earlier of two days, either of which may be None (no such day)."""
    if first is None:
        return second
    return first if second is None else min(first, second)


def _year_bounds(day: int) -> tuple[int, int]:
    year = date.fromordinal(day).year
    return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()


def _annual_bound(presence: Presence, entry: int, cap_days: int) -> int | None:
    """Last day of a stay entered on `entry` within egov.kz's calendar-year cap (docs/rules.md §2).

    None when the cap does not end the stay within its entry's year; the part in the next
    year is at most the per-stay cap, below the annual cap, so it never binds there.
    """
    year_start, year_end = _year_bounds(entry)
    last = entry + cap_days - presence.count(year_start, entry - 1) - 1
    return last if last < year_end else None


def _earliest_reentry(
    history: Presence,
    start: int,
    length: int,
    *,
    limit_for,
    annual_cap: int | None,
    params: Parameters,
    cap: int | None,
) -> int | None:
    """First entry on or after `start` with a legal stay of `length` days, or None.

    Each rule only pushes the entry later, and a later entry never breaks a rule the earlier
    one met (history days only leave the windows), so the rules are applied in turn until none
    moves the entry.
    """
    entry = start
    for _ in range(4):
        moved = entry
        limit = limit_for(entry)
        if limit is None:
            if cap is not None and length > cap:
                return None
        else:
            moved = earliest_entry(
                history,
                entry,
                length,
                window=params.window_days,
                limit=limit,
                cap=cap,
                search_days=params.reentry_search_days,
            )
            if moved is None:
                return None
        if annual_cap is not None:
            year_start, year_end = _year_bounds(moved)
            room = max(0, annual_cap - history.count(year_start, moved - 1))
            if min(length, year_end - moved + 1) > room:
                moved = max(moved, year_end + 1 - room)
        if moved == entry:
            break
        entry = moved
    if entry - start >= params.reentry_search_days:
        return None
    return entry
