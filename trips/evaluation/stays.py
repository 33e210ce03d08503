"""From the database to the engine: a traveller's trips and visas as `rules` stays, per rule set.

The first step of the one-way flow models -> stays -> findings -> (snapshot | alerts | details |
plan) -> words: the only module that turns model rows into `rules` input, and the door the forms
use to ask the law about a record (`visa_serves`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Prefetch

import rules
from trips.choices import Purpose
from trips.models import AddressChange, Notification, Organisation, Traveller, Trip, Visa

# The last year whose built-in Kazakh calendar is confirmed (rules.BUILT_IN_CONFIRMED_YEARS).
BUILT_IN_CONFIRMED_UNTIL = max(rules.BUILT_IN_CONFIRMED_YEARS)
# Notification duties older than this are history, not a to-do (findings.eqonaq_findings).
EQONAQ_LOOKBACK_DAYS = 60


def filings_may_matter(trip: Trip, *, on: date) -> bool:
    """Whether the eQonaq filings of `trip` may still matter on `on`: the trip is not over
    before the lookback (older duties are history, findings.eqonaq_findings)."""
    return trip.exit is None or trip.exit >= on - timedelta(days=EQONAQ_LOOKBACK_DAYS)


def filings() -> tuple[Prefetch, Prefetch]:
    """A trip's eQonaq filings, as `evaluate()` reads them."""
    return (
        Prefetch(
            "notifications",
            queryset=Notification.objects.select_related("address_change").order_by("filed_on"),
        ),
        Prefetch(
            "address_changes", queryset=AddressChange.objects.prefetch_related("notifications")
        ),
    )


def parameters(organisation: Organisation) -> rules.Parameters:
    """The organisation's choices among the rule parameters docs/rules.md §15 leaves open."""
    return rules.Parameters(
        eqonaq_counts_arrival_day=organisation.eqonaq_counts_arrival_day,
        tax_window=organisation.tax_window,
        montage_year_mode=organisation.montage_year,
        merge_same_day_reentry=organisation.merge_same_day_reentry,
        registration_lead_days=organisation.registration_lead_days,
        kz_annual_cap=organisation.kz_annual_cap,
    )


def own_limits(traveller: Traveller, params: rules.Parameters) -> rules.Parameters:
    """`params` with the KZ visa-free limits of the traveller's citizenship (docs/rules.md §15), as
    the engine applies them; the German ones where the citizenship is not modelled."""
    return rules.kz_visa_free_parameters(traveller.citizenship, params) or params


def calendar(organisation: Organisation) -> dict:
    """The organisation's corrected calendar years as `rules.assess` keyword arguments.

    The two lists apply to the saved years only; other years keep the built-in calendar.
    """
    years = list(organisation.calendar_years.all())
    return {
        "holidays": [day for year in years for day in year.days_off()],
        "transferred_working_days": [day for year in years for day in year.working_days()],
        "calendar_years": [year.year for year in years],
    }


def working_days(given: dict) -> rules.WorkingDays:
    """The working-day calendar of `calendar(organisation)`, for eQonaq deadlines (§3)."""
    return rules.WorkingDays.of(
        given["holidays"],
        transferred_working_days=given["transferred_working_days"],
        years=given["calendar_years"],
    )


def built_in_calendar(year: int) -> tuple[list[date], list[date]]:
    """The built-in days off and transferred working days of `year`, sorted, for an admin to
    correct."""
    days_off, working = rules.built_in_calendar(year)
    return sorted(days_off), sorted(working)


def visa_needed(trip: Trip, *, citizenship: str) -> tuple[tuple[str, ...], str]:
    """The kinds of visa one of which `trip` needs, and the state whose national visa it needs
    where no kind fits (a Kazakh citizen in an EU state outside Schengen, docs/rules.md §15a).
    Both empty when visa-free entry may do."""
    need = rules.visa_needed(
        trip.country, citizenship=citizenship, purpose=trip.purpose, entry=trip.entry
    )
    if need is None:
        return (), ""
    return tuple(str(kind) for kind in need.kinds), need.national_visa_state


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
        visa=rules_visa(trip.visa) if trip.visa is not None else None,
    )


def montage_basis(trips: Iterable[Trip], params: rules.Parameters) -> tuple[list, dict]:
    """The Montage trips as stays, and the year arguments of `rules.montage_usage`.

    The visa year runs from the first valid day of the Montage trips' visa (docs/rules.md §6);
    without a visa recorded the calendar year counts.
    """
    montage = [t for t in trips if t.purpose == Purpose.MONTAGE]
    visa_from = min((t.visa.valid_from for t in montage if t.visa is not None), default=None)
    year_mode = params.montage_year_mode
    if year_mode == "visa_year" and visa_from is None:
        year_mode = "calendar"
    return [rules_stay(t) for t in montage], {"year_mode": year_mode, "visa_from": visa_from}


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
    """A traveller queryset with everything `evaluate()` reads, in a constant number of queries
    (`histories.for_evaluation()` reads the same for the daily run's many travellers)."""
    return travellers.select_related("organisation").prefetch_related(
        Prefetch(
            "trips",
            queryset=Trip.objects.prefetch_related(*filings())
            .select_related("visa")
            .order_by("entry"),
        ),
        "organisation__calendar_years",
    )


def with_trips(traveller: Traveller, trips: list[Trip]) -> Traveller:
    """`traveller` with `trips` kept in memory: all of its trips, each with its visa, and the
    filings of those whose filings may still matter (what `evaluate()` reads). A page that
    lists the trips then evaluates them without reading them again."""
    traveller.__dict__.setdefault("_prefetched_objects_cache", {})["trips"] = trips
    return traveller


def visa_serves(visa: Visa, *, country: str, day: date) -> bool:
    """Whether `visa` is a stay basis for entering `country` on `day`: valid that day, and
    issued for that country or, for a Schengen C visa, for the area as it stood that day."""
    return visa.covers(day) and rules.visa_serves(
        rules.VisaKind(visa.kind), issued_by=visa.country, country=country, on=day
    )


def area_key(regime: rules.Regime) -> str:
    """The key findings, snapshots and words use for a rule set: "kz" or "schengen"."""
    return "kz" if regime is rules.Regime.KZ_VISA_FREE else "schengen"
