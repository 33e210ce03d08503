"""The planner from inside the country: the stay a traveller is on today, ending on a day they
choose (by default the latest legal exit), and when and for how long they may come back.

Every figure is the engine's (docs/rules.md §1-2, §9); the words are `trips.words.plan_words`'.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

import rules
from trips.dates import day
from trips.evaluation.details import TIMELINE_DAYS, RegimeDetails
from trips.evaluation.inputs import inputs
from trips.evaluation.stays import area_key, rules_stay
from trips.models import Traveller, Trip


class StayError(ValueError):
    """An exit the planner cannot assume: the message says what to change."""


@dataclass(frozen=True)
class CurrentStay:
    """Today's stay, ended on `exit` in the plan; `exit_source` says whose date that is:
    "chosen" (typed in the planner), "recorded" (the trip's planned exit) or "latest_legal"."""

    trip: Trip
    exit: date
    exit_source: str
    regime: rules.Regime | None
    latest_legal_exit: date | None = None
    max_days: int | None = None
    days_at_exit: int | None = None
    legal: bool | None = None
    earliest_return: date | None = None
    return_max_days: int | None = None
    return_latest_exit: date | None = None
    full_length: int | None = None
    earliest_full_return: date | None = None
    details: RegimeDetails | None = None

    def closed_trip(self) -> Trip:
        """The current trip as the plan sees it: a copy ending on `exit`, never saved."""
        return ended(self.trip, self.exit)


def ended(trip: Trip, exit: date) -> Trip:
    closed = copy.copy(trip)
    closed.exit = exit
    return closed


def stay_on(traveller: Traveller, *, on: date) -> Trip | None:
    """The trip the traveller is on today (entered, not yet left), if any."""
    return next(
        (t for t in traveller.trips.all() if t.entry <= on and (t.exit is None or t.exit >= on)),
        None,
    )


def what_if_details(
    traveller: Traveller,
    regime: rules.Regime,
    trips: list[Trip],
    *,
    on: date,
    until: date,
) -> RegimeDetails:
    """The timeline's figures for trips that are partly plans (never saved): usage day by day
    from 180 days back to `until` (at least 180 days ahead), and why."""
    params = inputs(traveller).limits(regime)
    trips = sorted(trips, key=lambda t: (t.entry, t.pk or 0))
    stays = [rules_stay(t) for t in trips]
    end = max(on + timedelta(days=TIMELINE_DAYS), until + timedelta(days=30))
    series = rules.usage_series(
        stays, start=on - timedelta(days=TIMELINE_DAYS), end=end, on=on, options=params
    )
    report = rules.assess(stays, regime=regime, on=on, options=params)
    return RegimeDetails(
        regime=regime,
        key=area_key(regime),
        report=report,
        explanation=rules.explain(stays, regime=regime, on=on, options=params),
        series=tuple(series),
        trips=tuple(trips),
        findings=(),
        consequence=None,
    )


def current_stay(traveller: Traveller, *, on: date, exit: date | None = None) -> CurrentStay | None:
    """The stay the traveller is on today, ended on `exit` (default: its recorded planned exit,
    else the latest legal exit, else today), with the way back. None when not in a country.

    Raises `StayError` for an exit before today.
    """
    trip = stay_on(traveller, on=on)
    if trip is None:
        return None
    if exit is not None and exit < on:
        raise StayError(
            _("The current stay cannot end before today: choose %(date)s or later.")
            % {"date": day(on)}
        )
    regime = rules.regime_for_trip(
        trip.country, citizenship=traveller.citizenship, entry=trip.entry
    )
    if regime is None:
        chosen = exit or trip.exit or on
        source = "chosen" if exit else ("recorded" if trip.exit else "today")
        return CurrentStay(trip=trip, exit=chosen, exit_source=source, regime=None)
    # The same trips and limits as the traveller's findings (docs/rules.md §3, §15).
    given = inputs(traveller)
    params = given.limits(regime)
    trips = list(given.trips_of(regime))
    # Today's report: the latest legal exit of the stay that holds today is the law's answer.
    now = rules.assess([rules_stay(t) for t in trips], regime=regime, on=on, options=params)
    latest = now.latest_legal_exit
    if exit is not None:
        chosen, source = exit, "chosen"
    elif trip.exit is not None:
        chosen, source = trip.exit, "recorded"
    elif latest is not None and latest >= on:
        chosen, source = latest, "latest_legal"
    else:
        chosen, source = on, "today"
    closed = [ended(t, chosen) if t.pk == trip.pk else t for t in trips]
    stays = [rules_stay(t) for t in closed]
    full = rules.longest_stay_days(regime, params)
    at_exit = rules.assess(
        stays, regime=regime, on=chosen, options=params, reentry_lengths=[1, full]
    )
    back = (at_exit.earliest_reentry or {}).get(1)
    figures: dict[str, Any] = {}
    if back is not None:
        try:
            again = rules.assess(
                stays, regime=regime, on=chosen, options=params, planned_entry=back
            )
        except rules.RequestError:
            again = None  # a planned trip already holds that day
        if again is not None:
            figures = {
                "return_max_days": again.planned_max_stay_days,
                "return_latest_exit": again.planned_latest_legal_exit,
            }
    return CurrentStay(
        trip=trip,
        exit=chosen,
        exit_source=source,
        regime=regime,
        latest_legal_exit=latest,
        max_days=None if latest is None else (latest - trip.entry).days + 1,
        days_at_exit=(chosen - trip.entry).days + 1,
        legal=latest is not None and chosen <= latest,
        earliest_return=back,
        full_length=full,
        earliest_full_return=(at_exit.earliest_reentry or {}).get(full),
        details=what_if_details(traveller, regime, closed, on=on, until=chosen),
        **figures,
    )
