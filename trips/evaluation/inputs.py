"""What the engine is asked about one traveller, built once: the organisation's parameters and
calendar, the trips in order, and the trips and stays of each rule set.

`evaluate()`, the traveller page's details and the planner all start from `inputs(traveller)`,
so they count the same trips under the same options. It reads what the traveller has in
memory: a page's prefetch (`stays.with_related`, `stays.with_trips`) or the daily run's rows
(`bulk.for_evaluation`), without a query of its own when those are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import rules
from trips.evaluation.stays import (
    calendar,
    own_limits,
    parameters,
    rules_stay,
    stays_by_regime,
    working_days,
)
from trips.models import Traveller, Trip


@dataclass(frozen=True)
class Inputs:
    """One traveller's history as the engine takes it."""

    traveller: Traveller
    params: rules.Parameters  # the organisation's choices (docs/rules.md §15)
    calendar: dict  # its corrected calendar years, as `rules.assess` keyword arguments
    trips: tuple[Trip, ...]  # every trip, by entry
    trips_per_regime: Mapping[rules.Regime, tuple[Trip, ...]]
    stays_per_regime: Mapping[rules.Regime, tuple[rules.Stay, ...]]

    def trips_of(self, regime: rules.Regime) -> tuple[Trip, ...]:
        return self.trips_per_regime.get(regime, ())

    def stays_of(self, regime: rules.Regime) -> tuple[rules.Stay, ...]:
        return self.stays_per_regime.get(regime, ())

    def limits(self, regime: rules.Regime) -> rules.Parameters:
        """The parameters for `regime`: in Kazakhstan's visa-free rules, with the limits of
        the traveller's citizenship (docs/rules.md §15)."""
        if regime is rules.Regime.KZ_VISA_FREE:
            return own_limits(self.traveller, self.params)
        return self.params

    def working_days(self) -> rules.WorkingDays:
        """The working-day calendar for eQonaq deadlines (docs/rules.md §3)."""
        return working_days(self.calendar)


def inputs(traveller: Traveller) -> Inputs:
    """The engine's inputs for `traveller`, from its organisation and its trips."""
    organisation = traveller.organisation
    trips = tuple(sorted(traveller.trips.all(), key=lambda t: (t.entry, t.pk or 0)))
    grouped = {regime: tuple(found) for regime, found in stays_by_regime(traveller, trips).items()}
    return Inputs(
        traveller=traveller,
        params=parameters(organisation),
        calendar=calendar(organisation),
        trips=trips,
        trips_per_regime=grouped,
        stays_per_regime={
            regime: tuple(rules_stay(t) for t in found) for regime, found in grouped.items()
        },
    )
