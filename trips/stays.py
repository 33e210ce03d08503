"""From the database to the engine: a traveller's trips and visas as `rules` stays, per rule set.

The first step of the one-way flow models -> stays -> findings -> (snapshot | alerts | details |
plan) -> words: the only module that turns model rows into `rules` input, and the door the forms
use to ask the law about a record (`visa_serves`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch

import rules

from .models import AddressChange, Notification, Organisation, Traveller, Trip, Visa


def parameters(organisation: Organisation) -> rules.Parameters:
    """The organisation's choices among the rule parameters RULES.md §15 leaves open."""
    return rules.Parameters(
        eqonaq_counts_arrival_day=organisation.eqonaq_counts_arrival_day,
        tax_window=organisation.tax_window,
        montage_year_mode=organisation.montage_year,
    )


def rules_visa(visa: Visa) -> rules.Visa:
    return rules.Visa(
        kind=rules.VisaKind(visa.kind),
        valid_from=visa.valid_from,
        valid_until=visa.valid_until,
        entries_allowed=visa.entries_allowed,
        days_of_stay_allowed=visa.days_allowed,
        country=visa.country,
    )


def rules_stay(trip: Trip) -> rules.Stay:
    return rules.Stay(
        entry=trip.entry,
        exit=trip.exit,
        label=str(trip.pk or ""),
        visa=rules_visa(trip.visa) if trip.visa_id else None,
    )


def stays_by_regime(traveller: Traveller, trips: Iterable[Trip]) -> dict[rules.Regime, list]:
    """The traveller's trips as `rules` stays, grouped by the rule set that counts them."""
    grouped: dict[rules.Regime, list[Trip]] = {}
    for trip in trips:
        regime = rules.regime_for_trip(
            trip.country, citizenship=traveller.citizenship, entry=trip.entry
        )
        if regime is not None:
            grouped.setdefault(regime, []).append(trip)
    return grouped


def with_related(travellers):
    """A traveller queryset with everything `evaluate()` reads, in a constant number of queries."""
    trips = Trip.objects.select_related("visa").prefetch_related(
        Prefetch("notifications", queryset=Notification.objects.order_by("filed_on")),
        Prefetch(
            "address_changes",
            queryset=AddressChange.objects.prefetch_related("notifications"),
        ),
    )
    return travellers.select_related("organisation").prefetch_related(
        Prefetch("trips", queryset=trips.order_by("entry"))
    )


def visa_serves(visa: Visa, *, country: str, day: date) -> bool:
    """Whether `visa` is a stay basis for entering `country` on `day`: valid that day, and
    issued for that country or, for a Schengen C visa, for the area as it stood that day."""
    return visa.covers(day) and rules.visa_serves(
        visa.kind, issued_by=visa.country, country=country, on=day
    )


def area_key(regime: rules.Regime) -> str:
    """The key findings, snapshots and words use for a rule set: "kz" or "schengen"."""
    return "kz" if regime is rules.Regime.KZ_VISA_FREE else "schengen"
