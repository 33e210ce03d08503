"""`assess`: every figure of the contract (issue 3) for one traveller, as typed values.

Stays are turned into day ordinals, merged once and put into a `Presence`; every figure is then
a few binary searches over the stays' breakpoints (see `rules.window`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

from rules import eqonaq, overstay, tax
from rules.errors import RequestError
from rules.registration import registration
from rules.types import DEFAULTS, Parameters, Regime, Stay, VisaKind
from rules.window import Presence, earliest_entry, first_violation, latest_legal_day, merge, used

# Visas whose periods replace the visa-free counting (RULES.md §7, §11, §12). A Schengen C visa
# does not: its days still count toward 90/180.
VISA_KINDS_EXEMPT_FROM_90_180 = frozenset(VisaKind) - {VisaKind.SCHENGEN_C}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The report of the contract; attribute names are the report's keys (issue 3)."""

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

    def to_dict(self) -> dict:
        """The report as JSON-ready values: dates as YYYY-MM-DD, re-entry keys as strings."""
        report = {}
        for name in REPORT_KEYS:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif name == "earliest_reentry" and value is not None:
                value = {str(n): None if d is None else d.isoformat() for n, d in value.items()}
            report[name] = value
        return report


REPORT_KEYS = tuple(field.name for field in fields(Assessment))


def _iso(day: int | None) -> date | None:
    return None if day is None else date.fromordinal(day)


Span = tuple[int, int | None]  # (entry, exit) as day ordinals; exit None: still present


def _d(day: int) -> str:
    return date.fromordinal(day).isoformat()


def validate(raw: Sequence[Span], *, on: int, planned_entry: int | None = None) -> None:
    """Raises `RequestError` for impossible input, in the contract's order of precedence."""
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
) -> Assessment:
    """Every figure of the contract for `stays` on `on` (issue 3; RULES.md §1-5, §9, §11).

    `reentry_lengths` None gives `earliest_reentry` None (the request had none). Raises
    `RequestError` for impossible input; being over a limit is an answer, not an error.
    Stays under a visa that replaces the visa-free rules count only for the tax and
    calendar-year figures (RULES.md §7, §9, §11).
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
) -> Assessment:
    """`assess` over (entry, exit) day ordinals; `counted` None: every stay counts for 90/180."""
    params = DEFAULTS if options is None else options
    regime = Regime(regime)
    kz = regime is Regime.KZ_VISA_FREE
    window = params.window_days
    limit = params.max_days
    cap = params.per_stay_cap_days if kz else None
    today = on.toordinal()
    validate(
        raw, on=today, planned_entry=None if planned_entry is None else planned_entry.toordinal()
    )

    physical_spans = merge((entry, today if exit_ is None else exit_) for entry, exit_ in raw)
    if counted is None:
        spans = physical_spans
    else:
        spans = merge((entry, today if exit_ is None else exit_) for entry, exit_ in counted)
    presence = Presence(spans)

    # The merged stay containing `on`, else the nearest past and future ones.
    current = past = future = None
    for start, end in spans:
        if end < today:
            past = (start, end)
        elif start <= today:
            current = (start, end)
        else:
            future = (start, end)
            break

    used_on = used(presence, today, window)

    latest_exit = None
    if current is not None:
        latest_exit = latest_legal_day(presence, current[0], window=window, limit=limit, cap=cap)

    # Overstay: the current stay up to `on`, else the last stay that ended before `on`.
    overstay_stay = current if current is not None else past
    overstay_days = 0
    if overstay_stay is not None:
        end = today if current is not None else overstay_stay[1]
        legal = (
            latest_exit
            if current is not None
            else latest_legal_day(presence, overstay_stay[0], window=window, limit=limit, cap=cap)
        )
        overstay_days = end - overstay_stay[0] + 1 if legal is None else max(0, end - legal)

    planned_exit = planned_days = None
    if planned_entry is not None:
        entry = planned_entry.toordinal()
        planned_exit = latest_legal_day(presence, entry, window=window, limit=limit, cap=cap)
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
            found = earliest_entry(
                history,
                start,
                n,
                window=window,
                limit=limit,
                cap=cap,
                search_days=params.reentry_search_days,
            )
            reentry[n] = _iso(found)

    violation = first_violation(presence, window=window, limit=limit, cap=cap)

    relevant = registration_required = registration_deadline = None
    eqonaq_deadline = eqonaq_calendar = None
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
        eqonaq_deadline = eqonaq.eqonaq_deadline(
            entry_day,
            holidays=holidays,
            extra_working_days=extra_working_days,
            counts_arrival_day=params.eqonaq_counts_arrival_day,
            working_days=params.eqonaq_working_days,
        )
        eqonaq_calendar = eqonaq.eqonaq_deadline_calendar(
            entry_day, days=params.eqonaq_calendar_days
        )

    # Tax and calendar-year figures count physical presence, visa stays included (RULES.md §9).
    physical = presence if spans is physical_spans else Presence(physical_spans)
    year_start = date(on.year, 1, 1).toordinal()
    in_year = physical.count(year_start, today)
    tax_now = tax.tax_days(physical, today, params.tax_window)
    open_entry = next((entry for entry, exit_ in raw if exit_ is None), None)
    projected = physical
    if open_entry is not None:
        # The open stay projected 400 days on, as if the traveller stayed (issue 3). No stay
        # starts after the open one (validated), so its merged stay is the last.
        projected = physical.extended(today + params.tax_projection_days)
    crossing = tax.crossing_date(
        projected, threshold=params.tax_threshold_days, tax_window=params.tax_window
    )

    return Assessment(
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
    )
