"""Demo data: one organisation whose travellers show every status staysite knows.

Dates are relative to the day the data is loaded, so that the statuses hold on that day: a
stay "at day 27" is 27 days old when `load_demo` runs. `load_demo` is idempotent: it adds
only what is missing, and `--reset` rebuilds the demo organisation from scratch.

The alert queue is left as the daily run leaves it, then worked a little, so that every state
of the queue shows at once: open, acknowledged and assigned, resolved. The demo sends no email.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from trips.choices import AlertKind, Purpose
from trips.evaluation import snapshots
from trips.evaluation.alert_queue import refresh_alerts
from trips.models import (
    AddressChange,
    Alert,
    Notification,
    Organisation,
    Traveller,
    Trip,
    User,
    Visa,
)

ORGANISATION = "Steppe Engineering GmbH (demo)"
PASSWORD = "staysite-demo"


@dataclass(frozen=True)
class DemoTrip:
    country: str
    start: int  # days from the load day; negative is in the past
    days: int | None  # None: still there
    purpose: str = Purpose.BUSINESS_MEETING
    visa: str = ""  # key of a DemoVisa of the same traveller
    notified: bool = True  # the host filed the eQonaq arrival notification
    moved_after: int | None = None  # an address change this many days after entry
    moved_notified: bool = True


@dataclass(frozen=True)
class DemoVisa:
    key: str
    kind: str
    country: str
    start: int
    until: int
    days_allowed: int | None = None
    entries_allowed: int | None = None


@dataclass(frozen=True)
class DemoTraveller:
    number: str
    name: str
    citizenship: str
    story: str
    trips: tuple[DemoTrip, ...] = ()
    visas: tuple[DemoVisa, ...] = ()
    login: str = ""
    language: str = "en"
    extra: dict = field(default_factory=dict)


KZ = "KZ"
MONTAGE = Purpose.MONTAGE

TRAVELLERS: tuple[DemoTraveller, ...] = (
    DemoTraveller(
        "D-001",
        "Jonas Becker",
        "DE",
        "comfortable: one short trip months ago",
        trips=(DemoTrip(KZ, -120, 8),),
    ),
    DemoTraveller(
        "D-002",
        "Lena Hoffmann",
        "DE",
        "approaching the 90/180 limit",
        trips=(DemoTrip(KZ, -170, 30), DemoTrip(KZ, -125, 30), DemoTrip(KZ, -60, 22)),
    ),
    DemoTraveller(
        "D-003",
        "Tom Weber",
        "DE",
        "at day 27 of a 30-day visa-free stay",
        trips=(DemoTrip(KZ, -150, 14), DemoTrip(KZ, -26, None, moved_after=6)),
        login="traveller",
    ),
    DemoTraveller(
        "D-004",
        "Sabine Klein",
        "DE",
        "eQonaq notification overdue",
        trips=(DemoTrip(KZ, -9, None, notified=False),),
    ),
    DemoTraveller(
        "D-005",
        "Markus Schulz",
        "DE",
        "registration needed: 45 days on a B2 visa",
        visas=(DemoVisa("b2", "b2_multiple", KZ, -20, 150, days_allowed=90),),
        trips=(DemoTrip(KZ, -12, 45, purpose=MONTAGE, visa="b2"),),
    ),
    DemoTraveller(
        "D-006",
        "Anna Fischer",
        "DE",
        "overstay in the warning tier (2 days)",
        trips=(DemoTrip(KZ, -31, None),),
    ),
    DemoTraveller(
        "D-007",
        "Peter Wagner",
        "DE",
        "overstay in the sanction tier (5 days)",
        trips=(DemoTrip(KZ, -34, None),),
    ),
    DemoTraveller(
        "D-008",
        "Claudia Neumann",
        "DE",
        "183-day tax exposure on a C3 work visa",
        visas=(DemoVisa("c3", "c3", KZ, -400, 330),),
        trips=(
            DemoTrip(KZ, -320, 110, purpose=Purpose.EMPLOYMENT, visa="c3"),
            DemoTrip(KZ, -195, None, purpose=Purpose.EMPLOYMENT, visa="c3"),
        ),
    ),
    DemoTraveller(
        "D-009",
        "Stefan Braun",
        "DE",
        "visa-bound stay: B2 single entry, 30 days",
        visas=(DemoVisa("b2", "b2_single", KZ, -15, 60, days_allowed=30, entries_allowed=1),),
        trips=(DemoTrip(KZ, -10, 20, purpose=MONTAGE, visa="b2"),),
    ),
    DemoTraveller(
        "K-010",
        "Aigerim Sadykova",
        "KZ",
        "Kazakh engineer in the Schengen area",
        visas=(DemoVisa("c", "schengen_c", "DE", -200, 160, days_allowed=90),),
        trips=(
            DemoTrip("DE", -150, 21, visa="c"),
            DemoTrip("FR", -60, 12, visa="c"),
            DemoTrip("DE", -14, None, visa="c"),
        ),
        language="de",
    ),
    DemoTraveller(
        "K-011",
        "Nurlan Abenov",
        "KZ",
        "Kazakh engineer close to the Schengen limit",
        visas=(DemoVisa("c", "schengen_c", "DE", -200, 100, days_allowed=90),),
        trips=(
            DemoTrip("DE", -170, 40, visa="c"),
            DemoTrip("AT", -100, 30, visa="c"),
            DemoTrip("DE", -40, 12, visa="c"),
        ),
    ),
    DemoTraveller(
        "D-012",
        "Julia Schmitt",
        "DE",
        "tax count approaching 183 days",
        visas=(DemoVisa("c3", "c3", KZ, -300, 200),),
        trips=(
            DemoTrip(KZ, -290, 70, purpose=Purpose.EMPLOYMENT, visa="c3"),
            DemoTrip(KZ, -200, 80, purpose=Purpose.EMPLOYMENT, visa="c3"),
            DemoTrip(KZ, -100, 10, purpose=Purpose.EMPLOYMENT, visa="c3"),
        ),
    ),
    DemoTraveller(
        "D-013",
        "Michael Koch",
        "DE",
        "eQonaq notification due: arrived yesterday",
        trips=(DemoTrip(KZ, -1, None, notified=False),),
    ),
    DemoTraveller(
        "D-014",
        "Katrin Richter",
        "DE",
        "planned trip that would break 90/180",
        trips=(
            DemoTrip(KZ, -140, 20),
            DemoTrip(KZ, -100, 30),
            DemoTrip(KZ, -50, 30),
            DemoTrip(KZ, 5, 30),
        ),
    ),
    DemoTraveller(
        "D-015",
        "Thomas Wolf",
        "DE",
        "visa expiring while the stay depends on it",
        visas=(DemoVisa("b2", "b2_multiple", KZ, -150, 12, days_allowed=90),),
        trips=(DemoTrip(KZ, -20, 30, purpose=MONTAGE, visa="b2"),),
    ),
    DemoTraveller(
        "D-016",
        "Sandra Schröder",
        "DE",
        "Montage days approaching 120 this year",
        visas=(
            DemoVisa("b2a", "b2_multiple", KZ, -170, -60, days_allowed=90),
            DemoVisa("b2b", "b2_multiple", KZ, -40, 120, days_allowed=90),
        ),
        trips=(
            DemoTrip(KZ, -160, 35, purpose=MONTAGE, visa="b2a"),
            DemoTrip(KZ, -110, 40, purpose=MONTAGE, visa="b2a"),
            DemoTrip(KZ, -35, 30, purpose=MONTAGE, visa="b2b"),
        ),
    ),
    DemoTraveller(
        "D-017",
        "Andreas Zimmermann",
        "DE",
        "left after a 12-day overstay",
        trips=(DemoTrip(KZ, -80, 42),),
    ),
    DemoTraveller(
        "D-018",
        "Stefanie Krüger",
        "DE",
        "comfortable: conference next month",
        trips=(
            DemoTrip(KZ, -200, 5, purpose=Purpose.CONFERENCE),
            DemoTrip(KZ, 35, 4, purpose=Purpose.CONFERENCE),
        ),
    ),
    DemoTraveller(
        "D-019",
        "Daniel Hartmann",
        "DE",
        "comfortable: back home after a trip",
        trips=(DemoTrip(KZ, -40, 12, moved_after=4),),
    ),
    DemoTraveller(
        "D-020",
        "Monika Lange",
        "DE",
        "comfortable: never travelled yet",
    ),
    DemoTraveller(
        "D-021",
        "Frank Werner",
        "DE",
        "in Kazakhstan for a week, all filed",
        trips=(DemoTrip("DE", -60, 50), DemoTrip(KZ, -6, None)),
    ),
    DemoTraveller(
        "D-022",
        "Birgit Krause",
        "DE",
        "day 25 of a 30-day stay",
        trips=(DemoTrip(KZ, -24, None),),
    ),
    DemoTraveller(
        "K-023",
        "Dana Zhakupova",
        "KZ",
        "Kazakh colleague at home",
        trips=(DemoTrip("DE", -90, 10, visa=""),),
        visas=(),
    ),
    DemoTraveller(
        "D-024",
        "Uwe Meier",
        "DE",
        "Digital nomad on a B12-1 visa",
        visas=(DemoVisa("nomad", "b12_1", KZ, -90, 275),),
        trips=(DemoTrip(KZ, -80, None, purpose=Purpose.REMOTE_WORK, visa="nomad"),),
    ),
    DemoTraveller(
        "D-025",
        "Heike Schwarz",
        "DE",
        "comfortable: planned trip fits",
        trips=(DemoTrip(KZ, -300, 20), DemoTrip(KZ, 20, 14)),
    ),
)

USERS = (
    ("hr", "Hanna", "HR", User.Role.HR),
    ("compliance", "Carl", "Compliance", User.Role.COMPLIANCE),
    ("traveller", "Tom", "Weber", User.Role.TRAVELLER),
)


@dataclass
class LoadResult:
    created: int = 0
    existing: int = 0


def load(*, on: date, reset: bool = False) -> LoadResult:
    """Create the demo organisation, its users and travellers; add only what is missing."""
    result = LoadResult()
    with transaction.atomic():
        if reset:
            _delete_demo()
        organisation, _created = Organisation.objects.get_or_create(name=ORGANISATION)
        users = {username: _user(organisation, username, *rest) for username, *rest in USERS}
        for spec in TRAVELLERS:
            traveller = Traveller.objects.filter(
                organisation=organisation, employee_number=spec.number
            ).first()
            if traveller is not None:
                result.existing += 1
                continue
            _traveller(organisation, spec, users, on=on)
            result.created += 1
        snapshots.refresh_snapshots(organisation.travellers.all(), on=on)
        refresh_alerts(on=on, travellers=organisation.travellers.all())
        alerts = Alert.objects.filter(organisation=organisation)
        # Counted as told already: demo addresses are made up, and loading sends nothing.
        alerts.filter(emailed_at__isnull=True).update(emailed_at=timezone.now(), digested_on=on)
        if not alerts.exclude(state=Alert.State.OPEN).exists():
            _work_the_queue(alerts, users)
    return result


def _work_the_queue(alerts, users: dict) -> None:
    """What a compliance admin has done by mid-morning: the most urgent alerts taken on, one
    handed to HR, one registration dealt with."""
    compliance, hr = users["compliance"], users["hr"]
    urgent = list(alerts.active().by_urgency()[:3])
    for alert in urgent[:2]:
        alert.acknowledge(by=compliance)
        alert.assign(compliance, by=compliance)
    for alert in urgent[2:]:
        alert.assign(hr, by=compliance)
    registration = alerts.active().filter(kind=AlertKind.REGISTRATION_NEEDED).first()
    if registration is not None:
        registration.resolve("Registration filed with the migration service.", by=compliance)


def _delete_demo() -> None:
    organisation = Organisation.objects.filter(name=ORGANISATION).first()
    if organisation is None:
        return
    Trip.objects.filter(traveller__organisation=organisation).delete()
    Visa.objects.filter(traveller__organisation=organisation).delete()
    organisation.travellers.all().delete()
    organisation.users.all().delete()
    organisation.delete()


def _user(organisation, username: str, first: str, last: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            organisation=organisation,
            is_demo=True,
            email=f"{username}@example.com",
        )
        user.set_password(PASSWORD)
        user.save()
    return user


def _traveller(organisation, spec: DemoTraveller, users: dict, *, on: date) -> Traveller:
    login = users.get(spec.login) if spec.login else None
    traveller = Traveller.objects.create(
        organisation=organisation,
        name=spec.name,
        email=f"{spec.number.lower()}@example.com",
        employee_number=spec.number,
        citizenship=spec.citizenship,
        user=login,
        hr_owner=users["hr"],
        language=spec.language,
    )
    visas = {
        visa.key: Visa.objects.create(
            traveller=traveller,
            country=visa.country,
            kind=visa.kind,
            number=f"{spec.number}-{visa.key.upper()}",
            valid_from=on + timedelta(days=visa.start),
            valid_until=on + timedelta(days=visa.until),
            days_allowed=visa.days_allowed,
            entries_allowed=visa.entries_allowed,
        )
        for visa in spec.visas
    }
    for number, item in enumerate(spec.trips, start=1):
        entry = on + timedelta(days=item.start)
        trip = Trip.objects.create(
            traveller=traveller,
            country=item.country,
            entry=entry,
            exit=None if item.days is None else entry + timedelta(days=item.days - 1),
            purpose=item.purpose,
            visa=visas.get(item.visa),
            host="Steppe Engineering LLP" if item.country == KZ else "Steppe Engineering GmbH",
            address=f"Abay Ave {10 + number}, Almaty" if item.country == KZ else "",
        )
        if item.country != KZ or entry > on:
            continue
        if item.notified:
            Notification.objects.create(
                trip=trip,
                reason=Notification.Reason.ARRIVAL,
                address=trip.address,
                filed_on=entry + timedelta(days=1),
                reference=f"EQ-{spec.number}-{number}",
            )
        if item.moved_after is not None:
            change = AddressChange.objects.create(
                trip=trip,
                changed_on=entry + timedelta(days=item.moved_after),
                new_address="Dostyk Ave 5, Almaty",
            )
            if item.moved_notified:
                Notification.objects.create(
                    trip=trip,
                    reason=Notification.Reason.ADDRESS_CHANGE,
                    address_change=change,
                    address=change.new_address,
                    filed_on=change.changed_on,
                    reference=f"EQ-{spec.number}-{number}-M",
                )
    return traveller
