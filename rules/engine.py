"""`assess`: every figure of the JSON contract for one traveller, as typed values.

Stays are turned into day ordinals, merged once and put into a `Presence`; every figure is then
a few binary searches over the stays' breakpoints (see `rules.window` and `rules.figures`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from rules.areas import FREE_MOVEMENT
from rules.citizenship import modelled as citizenship_is_modelled
from rules.errors import RequestError
from rules.figures import figures
from rules.law import law_for
from rules.stability import stable_until
from rules.types import DEFAULTS, Parameters, Regime, Stay
from rules.validation import Span, validate
from rules.visa_requests import VISA_KINDS_EXEMPT_FROM_90_180, visa_json
from rules.visas import VisaAssessment
from rules.window import merge
from rules.workdays import WorkingDays


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
    # The request's visas, in its order (the JSON contract's `visas`); None without any.
    # `assess` leaves it None: the app calls `visa_assessment` for each visa.
    visas: tuple[VisaAssessment, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values: dates as YYYY-MM-DD, re-entry keys as strings."""
        report: dict[str, Any] = {}
        for name in REPORT_KEYS:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif name == "earliest_reentry" and value is not None:
                value = {str(n): None if d is None else d.isoformat() for n, d in value.items()}
            elif name == "depends_on":
                value = list(value)
            elif name == "visas" and value is not None:
                value = [visa_json(found) for found in value]
            report[name] = value
        return report


REPORT_KEYS = tuple(field.name for field in fields(Assessment))


def merged_spans(
    stays: Iterable[Stay], on: date, *, open_until: date | None = None
) -> list[tuple[int, int]]:
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
    return Assessment(
        **figures_of(
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


def _modelled(regime: Regime, citizenship: str | None) -> bool | None:
    """`citizenship_modelled`: Schengen binds third-country nationals only (SBC art. 6), so EU,
    EEA and Swiss citizens are not modelled there; KZ models the citizenships of §15a."""
    if citizenship is None:
        return None
    if regime is Regime.SCHENGEN:
        return citizenship not in FREE_MOVEMENT
    return citizenship_is_modelled(citizenship)


def report_of(found: Mapping[str, Any]) -> dict[str, Any]:
    """`Assessment.to_dict()` of the figures of `figures_of`, without building the Assessment."""
    report: dict[str, Any] = {}
    for name in REPORT_KEYS:
        value = found[name]
        if type(value) is date:
            value = value.isoformat()
        elif name == "earliest_reentry" and value is not None:
            value = {str(n): None if d is None else d.isoformat() for n, d in value.items()}
        elif name == "depends_on":
            value = list(value)
        elif name == "visas" and value is not None:
            value = [visa_json(visa) for visa in value]
        report[name] = value
    return report


def figures_of(
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
) -> dict[str, Any]:
    """Every figure of `assess`, over (entry, exit) day ordinals (`counted` None: every stay
    counts for 90/180), as `Assessment` keyword arguments.

    `citizenship` picks the Kazakh visa-free limits of that nationality by entry date
    (docs/rules.md §15a); one the engine does not model keeps the defaults and reports
    `citizenship_modelled` false. In Schengen, EU, EEA and Swiss citizens are not bound.
    """
    params = DEFAULTS if options is None else options
    regime = Regime(regime)
    schengen = regime is Regime.SCHENGEN
    if schengen and not params.merge_same_day_reentry:
        # The restarting 30-day counter is a Kazakh rule (docs/rules.md §1); Schengen counts
        # presence days (§11, SBC art. 6(2)), so the choice has no effect there.
        params = replace(params, merge_same_day_reentry=True)
    modelled = _modelled(regime, citizenship)
    law = law_for(regime, params, citizenship if modelled else None)
    if law.annual_cap is not None and law.annual_cap < (law.max_cap() or 0):
        raise RequestError(
            "bad_request",
            f"options.kz_annual_cap_days: {law.annual_cap} is below the per-stay cap of "
            f"{law.max_cap()} days",
        )
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
    arguments: dict[str, Any] = {
        "regime": regime,
        "on": on,
        "planned_entry": planned_entry,
        "reentry_lengths": None if reentry_lengths is None else list(reentry_lengths),
        "calendar": calendar,
        "law": law,
    }
    found = figures(raw, counted, params=params, **arguments)
    depends_on: tuple[str, ...] = ()
    if not schengen and _has_same_day_reentry(raw if counted is None else counted, on.toordinal()):
        other = replace(params, merge_same_day_reentry=not params.merge_same_day_reentry)
        alternative = figures(raw, counted, params=other, **arguments)
        if any(found[key] != alternative[key] for key in VERDICT_KEYS):
            depends_on = ("merge_same_day_reentry",)
    if schengen and modelled is False:
        found |= _unbound(found, on)
    found["citizenship_modelled"] = modelled
    found["depends_on"] = depends_on
    found["stable_until"] = stable_until(raw, on=on, params=params, figures=found)
    found["visas"] = None
    return found


def _unbound(found: dict[str, Any], on: date) -> dict[str, Any]:
    """The figures of a traveller no short-stay limit binds (EU citizens in Schengen, SBC art. 6):
    no latest exit, no overstay, every re-entry at once; days are still counted."""
    reentry = found["earliest_reentry"]
    start = on if not found["present_on_query_date"] else date.fromordinal(on.toordinal() + 1)
    return {
        "excess_days": 0,
        "latest_legal_exit": None,
        "overstay_days": 0,
        "planned_latest_legal_exit": None,
        "planned_max_stay_days": None,
        "earliest_reentry": None if reentry is None else dict.fromkeys(reentry, start),
        "plan_compliant": True,
        "first_violation_date": None,
    }


def _has_same_day_reentry(spans: Sequence[Span], today: int) -> bool:
    """Whether some stay is entered on the day another ends (docs/rules.md §1, "Edge cases")."""
    ends = {today if exit_ is None else exit_ for _, exit_ in spans}
    # A cheap test first: most histories have no entry on any stay's last day.
    if ends.isdisjoint(entry for entry, _ in spans):
        return False
    closed = [(entry, today if exit_ is None else exit_) for entry, exit_ in spans]
    return len(merge(closed)) != len(merge(closed, join_same_day=False))
