"""A synthetic organisation of realistic travel histories, for `manage.py bench_scale`.

Mostly German engineers with trips to Kazakhstan, Kazakh staff with trips to the Schengen area
and a few others, over about 900 days up to the day it is built: some still abroad (an open
trip), some on a B2 visa, most with their eQonaq arrival notification filed, a few with an
address change, and one traveller with 200 trips (the longest history a traveller page shows).
Everything is written with `bulk_create`, so building 100,000 travellers takes minutes, not
hours; no history rows are written for it (nobody changed anything).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from trips.choices import Purpose
from trips.models import AddressChange, Notification, Organisation, Traveller, Trip, User, Visa

# The span of history each traveller gets, in days up to the day the data is built.
HISTORY_DAYS = 900
LONG_HISTORY_TRIPS = 200
SCHENGEN = ("DE", "FR", "IT", "AT", "ES", "NL")
# Shares of travellers, by what their history looks like.
KAZAKH_SHARE = 0.2
OTHER_SHARE = 0.1
OPEN_TRIP_SHARE = 0.1
VISA_SHARE = 0.05
NOTIFIED_SHARE = 0.9
BATCH = 5000


@dataclass(frozen=True)
class Synthetic:
    organisation: Organisation
    hr: User
    compliance: User
    long_history: Traveller

    @property
    def travellers(self):
        return Traveller.objects.filter(organisation=self.organisation)


def name(travellers: int, trips_per_traveller: int) -> str:
    """The organisation's name, which keys it by size: the same size is built only once."""
    return f"Benchmark {travellers} travellers x {trips_per_traveller} trips"


def find(travellers: int, trips_per_traveller: int) -> Synthetic | None:
    """The organisation of this size built earlier, if it is complete."""
    organisation = Organisation.objects.filter(name=name(travellers, trips_per_traveller)).first()
    if organisation is None or organisation.travellers.count() != travellers:
        return None
    users = {u.role: u for u in organisation.users.all()}
    long_history = organisation.travellers.filter(employee_number="S000000").first()
    if User.Role.HR not in users or User.Role.COMPLIANCE not in users or long_history is None:
        return None
    return Synthetic(organisation, users[User.Role.HR], users[User.Role.COMPLIANCE], long_history)


def build(travellers: int, trips_per_traveller: int, *, today: date, seed: int = 14) -> Synthetic:
    """A new organisation of `travellers` travellers (the first one with 200 trips)."""
    rng = random.Random(seed)
    key = name(travellers, trips_per_traveller)
    with transaction.atomic():
        organisation = Organisation.objects.create(name=key)
        slug = f"{travellers}x{trips_per_traveller}"
        hr = User.objects.create(
            username=f"bench-hr-{slug}", organisation=organisation, role=User.Role.HR
        )
        compliance = User.objects.create(
            username=f"bench-compliance-{slug}",
            organisation=organisation,
            role=User.Role.COMPLIANCE,
        )
    for start in range(0, travellers, BATCH):
        with transaction.atomic():
            _build_batch(
                organisation,
                hr,
                range(start, min(start + BATCH, travellers)),
                trips_per_traveller,
                today=today,
                rng=rng,
            )
    long_history = organisation.travellers.get(employee_number="S000000")
    return Synthetic(organisation, hr, compliance, long_history)


def _citizenship(rng: random.Random) -> str:
    draw = rng.random()
    if draw < KAZAKH_SHARE:
        return "KZ"
    if draw < KAZAKH_SHARE + OTHER_SHARE:
        return rng.choice(("US", "TR", "FR", "GB"))
    return "DE"


def _build_batch(organisation, hr, numbers, trips_per_traveller, *, today, rng) -> None:
    travellers = Traveller.objects.bulk_create(
        Traveller(
            organisation=organisation,
            name=f"Traveller {i:06d}",
            email=f"traveller{i}@example.com",
            employee_number=f"S{i:06d}",
            citizenship="DE" if i == 0 else _citizenship(rng),
            hr_owner=hr,
        )
        for i in numbers
    )
    visas: list[Visa] = []
    for traveller in travellers:
        if traveller.citizenship != "KZ" and rng.random() < VISA_SHARE:
            visas.append(
                Visa(
                    traveller=traveller,
                    country="KZ",
                    kind=Visa.Kind.B2_MULTIPLE,
                    number=f"B{traveller.employee_number}",
                    valid_from=today - timedelta(days=rng.randint(60, 300)),
                    valid_until=today + timedelta(days=rng.randint(10, 200)),
                    days_allowed=90,
                )
            )
    Visa.objects.bulk_create(visas)
    visa_of = {visa.traveller_id: visa for visa in visas}

    trips: list[Trip] = []
    for traveller in travellers:
        count = LONG_HISTORY_TRIPS if traveller.employee_number == "S000000" else None
        trips += _history(
            traveller,
            count or trips_per_traveller,
            visa_of.get(traveller.pk),
            today=today,
            rng=rng,
        )
    Trip.objects.bulk_create(trips, batch_size=BATCH)

    notifications: list[Notification] = []
    changes: list[AddressChange] = []
    for trip in trips:
        if trip.country != "KZ":
            continue
        if rng.random() < NOTIFIED_SHARE:
            notifications.append(
                Notification(
                    trip=trip,
                    address="Abay Ave 1, Almaty",
                    filed_on=trip.entry + timedelta(days=rng.randint(0, 2)),
                    reference=f"EQ-{trip.pk}",
                )
            )
        if trip.exit is None and rng.random() < 0.2:
            changes.append(
                AddressChange(
                    trip=trip,
                    changed_on=min(today, trip.entry + timedelta(days=3)),
                    new_address="Dostyk Ave 5, Almaty",
                )
            )
    Notification.objects.bulk_create(notifications, batch_size=BATCH)
    AddressChange.objects.bulk_create(changes)


def _history(traveller, count, visa, *, today, rng) -> list[Trip]:
    """`count` trips over the last HISTORY_DAYS days, one per slot, never overlapping."""
    slot = HISTORY_DAYS // count
    first = today - timedelta(days=HISTORY_DAYS)
    open_trip = rng.random() < OPEN_TRIP_SHARE
    trips = []
    for i in range(count):
        length = max(1, min(rng.randint(3, 25), slot * 2 // 3))
        entry = first + timedelta(days=i * slot + rng.randint(0, max(0, slot - length - 1)))
        exit = entry + timedelta(days=length - 1)
        if i == count - 1 and open_trip:
            entry, exit = today - timedelta(days=rng.randint(0, min(35, slot - 1))), None
        if traveller.citizenship == "KZ":
            country = rng.choice(SCHENGEN)
        else:
            country = "KZ" if rng.random() < 0.85 else rng.choice(("TR", "GE", "ZZ"))
        on_visa = (
            visa is not None
            and country == "KZ"
            and visa.valid_from <= entry
            and (exit or today) <= visa.valid_until
        )
        trips.append(
            Trip(
                traveller=traveller,
                country=country,
                entry=entry,
                exit=exit,
                purpose=Purpose.MONTAGE if on_visa else Purpose.BUSINESS_MEETING,
                visa=visa if on_visa else None,
            )
        )
    return trips
