"""The "what if" planner: one planned stay checked against the traveller's trips, with and
without it, in the engine's figures (the words are `trips.words.plan_words`')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

import rules
from trips.countries import country_name
from trips.dates import day
from trips.evaluation.current_stay import CurrentStay, StayError, current_stay, what_if_details
from trips.evaluation.details import RegimeDetails
from trips.evaluation.inputs import inputs
from trips.evaluation.stays import rules_stay
from trips.models import Traveller, Trip


class PlanError(ValueError):
    """A plan the planner cannot answer: the message says what to change."""


@dataclass(frozen=True)
class PlanAnswer:
    """What the law says about one planned stay, with and without it (§1-4, §9, §11)."""

    country: str
    entry: date
    exit: date | None
    regime: rules.Regime | None
    legal: bool | None = None
    deciding_rule: rules.Rule | None = None
    latest_legal_exit: date | None = None
    max_stay_days: int | None = None
    first_violation: date | None = None
    earliest_fit: date | None = None
    days_used_at_exit: int | None = None
    registration_required: bool | None = None
    registration_deadline: date | None = None
    eqonaq_deadline: date | None = None
    tax_days_without: int | None = None
    tax_days_with: int | None = None
    tax_crossing_without: date | None = None
    tax_crossing_with: date | None = None
    assumes_current_stay_ends: date | None = None
    current: CurrentStay | None = None
    details: RegimeDetails | None = None  # the timeline with the plan

    @property
    def length(self) -> int | None:
        return None if self.exit is None else (self.exit - self.entry).days + 1


# Longer plans are typing mistakes, not plans; the engine would answer them slowly.
PLAN_MAX_DAYS = 1000


def plan(
    traveller: Traveller,
    *,
    country: str,
    entry: date,
    exit: date | None = None,
    length: int | None = None,
    current_exit: date | None = None,
    on: date,
) -> PlanAnswer:
    """The "what if" planner: a stay in `country` from `entry` to `exit` (or for `length` days)
    checked against the traveller's trips, planned ones included. Raises `PlanError`.

    A traveller in a country today is assumed to leave on `current_exit` (default: the trip's
    recorded exit, else the latest legal exit; `current_stay.current_stay`).
    """
    exit = _planned_exit(entry, exit, length, on=on)
    try:
        current = current_stay(traveller, on=on, exit=current_exit)
    except StayError as error:
        raise PlanError(str(error)) from None
    closing = {} if current is None else {current.trip.pk: current.closed_trip()}
    draft = Trip(traveller=traveller, country=country, entry=entry, exit=exit)
    _refuse_overlaps(draft, current, closing)

    regime = rules.regime_for_trip(country, citizenship=traveller.citizenship, entry=entry)
    if regime is None:
        return PlanAnswer(
            country=country, entry=entry, exit=exit, regime=None, legal=True, current=current
        )
    # The same trips, limits and calendar as the traveller's findings (docs/rules.md §3, §15).
    given = inputs(traveller)
    params = given.limits(regime)
    trips = [closing.get(t.pk, t) for t in given.trips_of(regime)]
    # With a later entry planned, the current stay ends first: on the day the plan assumes.
    closed = [rules_stay(t) for t in trips]
    lengths = [] if exit is None else [(exit - entry).days + 1]
    try:
        # Counted from the day the current stay ends: its days up to then are history.
        without = rules.assess(
            closed,
            regime=regime,
            on=max(on, current.exit) if current else on,
            planned_entry=entry,
            reentry_lengths=lengths,
            options=params,
        )
    except rules.RequestError:  # an entry on the last day of a stay under the same rules
        raise PlanError(
            _("The plan starts on a day you are already in %(country)s: start it a day later.")
            % {"country": country_name(country)}
        ) from None
    answer: dict[str, Any] = {
        "latest_legal_exit": without.planned_latest_legal_exit,
        "max_stay_days": without.planned_max_stay_days,
        "earliest_fit": (without.earliest_reentry or {}).get(lengths[0]) if lengths else None,
        "assumes_current_stay_ends": None if current is None else current.exit,
        "current": current,
    }
    kz = regime is rules.Regime.KZ_VISA_FREE
    if exit is None:
        if kz:
            answer["eqonaq_deadline"] = rules.eqonaq_deadline(
                entry,
                counts_arrival_day=params.eqonaq_counts_arrival_day,
                calendar=given.working_days(),
            )
        return PlanAnswer(country=country, entry=entry, exit=None, regime=regime, **answer)

    planned = rules.Stay(entry, exit, "plan")
    with_plan = [*closed, planned]
    answer["details"] = what_if_details(traveller, regime, [*trips, draft], on=on, until=exit)
    at_exit = rules.assess(with_plan, regime=regime, on=exit, options=params)
    at_entry = rules.assess(with_plan, regime=regime, on=entry, options=params, **given.calendar)
    why = rules.explain(with_plan, regime=regime, on=entry, options=params)
    answer |= {
        "legal": at_exit.plan_compliant,
        "first_violation": at_exit.first_violation_date,
        "deciding_rule": why.deciding_rule,
        "days_used_at_exit": at_exit.days_used,
    }
    if kz:
        before = rules.assess(closed, regime=regime, on=exit, options=params)
        answer |= {
            "registration_required": at_entry.registration_required,
            "registration_deadline": at_entry.registration_deadline,
            "eqonaq_deadline": at_entry.eqonaq_deadline,
            "tax_days_without": before.tax_days,
            "tax_days_with": at_exit.tax_days,
            "tax_crossing_without": before.tax_183_crossing_date,
            "tax_crossing_with": at_exit.tax_183_crossing_date,
        }
    return PlanAnswer(country=country, entry=entry, exit=exit, regime=regime, **answer)


def _planned_exit(entry: date, exit: date | None, length: int | None, *, on: date) -> date | None:
    """The plan's exit from an exit or a length; `PlanError` for dates no plan can have."""
    if length is not None:
        if length < 1:
            raise PlanError(_("A stay lasts at least one day."))
        if exit is None:
            exit = entry + timedelta(days=length - 1)
    if exit is not None and exit < entry:
        raise PlanError(_("The exit date is before the entry date."))
    if entry < on:
        raise PlanError(
            _("The entry date is in the past: the planner looks ahead. Record past trips instead.")
        )
    if exit is not None and (exit - entry).days + 1 > PLAN_MAX_DAYS:
        raise PlanError(_("Plans are limited to %(n)d days.") % {"n": PLAN_MAX_DAYS})
    return exit


def _refuse_overlaps(draft: Trip, current: CurrentStay | None, closing: dict[int, Trip]) -> None:
    """`PlanError` when the plan shares a day with a recorded trip (the current one as the plan
    ends it, in `closing`)."""
    if current is not None and draft.entry < current.exit:
        raise PlanError(
            _("The plan starts on %(entry)s, before the current stay ends on %(exit)s.")
            % {"entry": day(draft.entry), "exit": day(current.exit)}
        )
    conflicts = [
        t
        for t in draft.conflicting_trips()
        if t.pk not in closing or draft.conflicts_with(closing[t.pk])
    ]
    if conflicts and conflicts[0].exit is None:
        raise PlanError(
            _("The trip %(trip)s has no exit date yet: record its (planned) exit first.")
            % {"trip": str(conflicts[0])}
        )
    if conflicts:
        raise PlanError(_("The plan overlaps the trip %(trip)s.") % {"trip": str(conflicts[0])})


# The engine's JSON contract as it is, for the API's `POST /api/v1/check` (nothing stored).
RequestError = rules.RequestError


# The rule sets a request to the engine may name (its contract, docs/rules.md).
REGIMES = [regime.value for regime in rules.Regime]


def check_request(request: Any) -> dict[str, Any]:
    """The engine's report for one JSON request (`rules.check`); raises `RequestError`."""
    return rules.check(request)
