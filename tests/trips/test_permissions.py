"""The permission matrix: every URL x every role x own/foreign object, GET and POST.

EXPECTED lists every URL of the site by name (Django's own auth and language views, and the
admin, have tests of their own). A new URL without a row here fails
`test_every_url_has_a_row_in_the_matrix`: decide who may see and change it, then add the row.

Each row gives, per role, the status of GET and POST on organisation A's object:
- hr, compliance: organisation A's HR and compliance admin;
- owner: Tom, a traveller with a login, looking at his own record;
- colleague: a traveller with a login looking at Tom's record;
- outsider: organisation B's HR looking at organisation A's record (for URLs without an
  object: at their own organisation's page).
Besides what the row says, every URL is checked for:
- anonymous: a redirect to the login page, GET and POST;
- foreign object: every organisation A role asking for organisation B's object gets a 404;
- symmetry: organisation B's HR on organisation B's object gets what hr gets on A's;
- the second factor: organisation A requires two-factor login and organisation B's HR chose
  it, so everyone logs in through the code page (tests.conftest.log_in); a user who gave the
  password but not yet the code is sent to the code page from every URL.
POSTs carry valid data, so that only the access policy can refuse them; after a refused
request (302 to login, 403, 404, 405) no row in the database has changed, and after an
allowed one no row of the other organisation has.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from tests import factories
from tests.conftest import log_in
from trips.delivery import webhooks
from trips.evaluation import snapshots
from trips.files import evidence as evidence_files
from trips.files import feeds, import_preview, imports
from trips.models import (
    AddressChange,
    ApiToken,
    Evidence,
    Notification,
    Organisation,
    Traveller,
    Trip,
    TripCorrection,
    User,
    Visa,
    WebhookDelivery,
    WebhookEndpoint,
)

# The API authenticates by token, not login: tests/trips/test_api_permissions.py has its matrix.
EXCLUDED_NAMESPACES = {"admin", "api"}
# Django's own views: tests/trips/test_security.py (login, logout, password, language).
EXCLUDED_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    # Single sign-on's way in and back: public, tested in tests/trips/test_sso.py.
    "sso_login",
    "sso_callback",
}
REFUSED = {302, 403, 404, 405}


def url_patterns(patterns=None, namespace: str = ""):
    """(name, pattern) of every URL, recursively, with its namespace."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in EXCLUDED_NAMESPACES:
                continue
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from url_patterns(entry.url_patterns, joined)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if name not in EXCLUDED_NAMES:
                yield name, entry


def url_names() -> set[str]:
    return {name for name, _pattern in url_patterns()}


def url_kwargs(name: str) -> list[str]:
    pattern = dict(url_patterns())[name]
    return list(pattern.pattern.converters)


# GET/POST status per role on organisation A's object (see the module docstring).
ROLES = ["hr", "compliance", "owner", "colleague", "outsider"]


def row(hr, compliance, owner, colleague, outsider):
    return dict(zip(ROLES, [hr, compliance, owner, colleague, outsider], strict=True))


HR_ONLY = row("200/302", "200/302", "403/403", "404/404", "404/404")
HR_ONLY_NO_OBJECT = row("200/302", "200/302", "403/403", "403/403", "200/302")
READ_ONLY = row("200/405", "200/405", "200/405", "404/405", "404/405")
COMPLIANCE_ONLY = row("403/403", "200/302", "403/403", "404/404", "404/404")

EXPECTED = {
    # Dashboard: HR's overview; a traveller is sent to their own page.
    "trips:home": row("200/405", "200/405", "302/405", "302/405", "200/405"),
    "trips:me": row("302/405", "302/405", "302/405", "302/405", "302/405"),
    # Travellers.
    "trips:traveller_list": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    "trips:traveller_create": HR_ONLY_NO_OBJECT,
    "trips:traveller_detail": READ_ONLY,
    "trips:traveller_status": READ_ONLY,
    "trips:traveller_update": HR_ONLY,
    # A traveller plans their own trips, but may not touch recorded ones.
    "trips:trip_create": row("200/302", "200/302", "200/302", "404/404", "404/404"),
    "trips:trip_update": HR_ONLY,
    "trips:trip_delete": HR_ONLY,
    "trips:trip_restore": HR_ONLY,
    "trips:visa_create": HR_ONLY,
    "trips:visa_update": HR_ONLY,
    "trips:visa_delete": HR_ONLY,
    "trips:address_change_create": HR_ONLY,
    "trips:address_change_update": HR_ONLY,
    "trips:address_change_delete": HR_ONLY,
    "trips:notification_create": HR_ONLY,
    "trips:notification_update": HR_ONLY,
    "trips:notification_delete": HR_ONLY,
    # The what-if planner.
    "trips:traveller_plan": READ_ONLY,
    # The traveller's own records: the planned exit of the stay they are on (HR too), a
    # proposed correction of a recorded trip (the traveller only: HR edits it directly), and
    # HR's decision on it.
    "trips:current_exit": row("405/302", "405/302", "405/302", "405/404", "405/404"),
    # Saving a plan from the planner (with the current stay's exit it assumed).
    "trips:plan_save": row("405/302", "405/302", "405/302", "405/404", "405/404"),
    "trips:correction_create": row("403/403", "403/403", "200/302", "404/404", "404/404"),
    "trips:correction_decide": row("405/302", "405/302", "405/403", "405/404", "405/404"),
    # Proof: attached by whoever may change the record (the traveller: their own trips),
    # served to whoever may see the traveller.
    "trips:evidence_upload": row("200/302", "200/302", "200/302", "404/404", "404/404"),
    "trips:evidence_file": READ_ONLY,
    "trips:evidence_thumbnail": READ_ONLY,
    # The alert queue.
    "trips:alert_list": row("403/405", "200/405", "403/405", "403/405", "403/405"),
    "trips:alert_badge": row("403/405", "200/405", "403/405", "403/405", "403/405"),
    # Only compliance works the queue: anyone else is refused before any alert is looked up.
    "trips:alert_detail": row("403/405", "200/405", "403/405", "403/405", "403/405"),
    "trips:alert_acknowledge": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    "trips:alert_assign": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    "trips:alert_resolve": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    # Personal data, import and settings.
    "trips:traveller_export": row("403/405", "200/405", "403/405", "404/405", "404/405"),
    "trips:traveller_erase": COMPLIANCE_ONLY,
    "trips:trip_import": HR_ONLY_NO_OBJECT,
    "trips:visa_import": HR_ONLY_NO_OBJECT,
    "trips:import_batches": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    # The preview of the world is not confirmed: no batch to revert yet, for anyone.
    "trips:import_revert": row("405/404", "405/404", "405/404", "405/404", "405/404"),
    "trips:roster_import": HR_ONLY_NO_OBJECT,
    "trips:roster_template": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    "trips:visa_template": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    "trips:trip_export": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    "trips:organisation_settings": row("403/403", "200/302", "403/403", "403/403", "403/403"),
    # For load balancers and monitors: anyone, logged in or not (503: the world has had no
    # daily run yet).
    "trips:healthz": row("503/405", "503/405", "503/405", "503/405", "503/405"),
    # The engine against the published examples: anyone, logged in or not.
    "trips:conformance": row("200/405", "200/405", "200/405", "200/405", "200/405"),
    # The installable web app's service worker: our own static script, for anyone.
    "trips:service_worker": row("200/405", "200/405", "200/405", "200/405", "200/405"),
    # API tokens, on the settings page: the new key is shown in the answer (200), not stored.
    "trips:api_token_create": row("405/403", "405/200", "405/403", "405/403", "405/403"),
    "trips:api_token_revoke": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    # Webhooks, compliance's: endpoints, their delivery log, resending, enabling, deleting.
    "trips:webhook_list": row("403/403", "200/302", "403/403", "403/403", "403/403"),
    "trips:webhook_resend": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    "trips:webhook_enable": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    "trips:webhook_delete": row("405/403", "405/302", "405/403", "405/403", "405/403"),
    # Two-factor login: everyone's own. The code page sends a verified user on; a wrong code
    # at set-up re-renders the form; new recovery codes replace the old ones.
    "two_factor_verify": row("302/302", "302/302", "302/302", "302/302", "302/302"),
    "two_factor_setup": row("200/200", "200/200", "200/200", "200/200", "200/200"),
    "two_factor_recovery_codes": row("200/302", "200/302", "200/302", "200/302", "200/302"),
    # A required first set-up's emailed link: asked for, and opened (here with no valid
    # token); whoever already gave a second factor is sent to the set-up page.
    "two_factor_setup_link": row("405/302", "405/302", "405/302", "405/302", "405/302"),
    "two_factor_setup_confirm": row("302/405", "302/405", "302/405", "302/405", "302/405"),
    "trips:calendar_year_update": row("403/403", "200/302", "403/403", "403/403", "403/403"),
    # Spreadsheets in and out, the printable report and calendar feeds. A checked import file
    # is its uploader's alone.
    "trips:import_template": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    "trips:import_preview": row("200/405", "404/405", "403/405", "403/405", "404/405"),
    "trips:import_confirm": row("405/302", "405/404", "405/403", "405/403", "405/404"),
    "trips:import_map": row("405/302", "405/404", "405/403", "405/403", "405/404"),
    "trips:dashboard_export": row("200/405", "200/405", "403/405", "403/405", "200/405"),
    "trips:traveller_report": READ_ONLY,
    # Everyone's own feed; the feed itself answers to its token, not to a login.
    "trips:feed_detail": row("200/405", "200/405", "200/405", "200/405", "200/405"),
    "trips:feed_create": row("405/200", "405/200", "405/200", "405/200", "405/200"),
    "trips:feed_revoke": row("405/302", "405/302", "405/302", "405/302", "405/302"),
    "trips:feed_reminder": row("405/302", "405/302", "405/302", "405/302", "405/302"),
    "trips:feed_ics": row("200/405", "200/405", "200/405", "200/405", "200/405"),
}
# URLs without a login: an anonymous request gets what hr gets, not the login page.
PUBLIC = {"trips:healthz", "trips:conformance", "trips:service_worker"}
# Allowed POSTs that redirect without changing anything: there is nothing to change.
# The world has no deleted trip: a restore there answers with the reason, changing nothing.
NO_CHANGE = {"trips:me", "two_factor_verify", "two_factor_setup_link", "trips:trip_restore"}
# URLs whose secret token is the credential: anyone holding it, logged in or not, gets the
# row's answer, on either organisation's token.
TOKEN_AUTHENTICATED = {"trips:feed_ics"}

# The same URLs on Tom's planned trip: he may change and delete it, unlike a recorded one.
PLANNED = {
    "trips:trip_update": row("200/302", "200/302", "200/302", "404/404", "404/404"),
    "trips:trip_delete": row("200/302", "200/302", "200/302", "404/404", "404/404"),
    # A planned trip is the traveller's to change: nothing to propose.
    "trips:correction_create": row("403/403", "403/403", "403/403", "404/404", "404/404"),
}

# The same URLs on the stay Tom is on today: he records a move (a new address to notify).
CURRENT = {
    "trips:address_change_create": row("200/302", "200/302", "200/302", "404/404", "404/404"),
    "trips:correction_create": row("403/403", "403/403", "200/302", "404/404", "404/404"),
}


# --- The world: two organisations with the same records ----------------------------------


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


@dataclass
class Side:
    organisation: Organisation
    hr: User
    compliance: User
    traveller: Traveller
    trip: Trip
    planned_trip: Trip
    current_trip: Trip
    correction: TripCorrection
    evidence: Evidence
    visa: Visa
    address_change: AddressChange
    notification: Notification
    alert: object | None
    api_token: ApiToken | None = None
    traveller_user: User | None = None
    colleague_user: User | None = None
    import_token: str = ""
    feed_token: str = ""
    webhook_endpoint: WebhookEndpoint | None = None
    webhook_delivery: WebhookDelivery | None = None


def make_side(name: str, prefix: str, today: date, *, require_two_factor: bool = False) -> Side:
    organisation = factories.make_organisation(name=name, require_two_factor=require_two_factor)
    hr = factories.make_user(organisation=organisation, role=User.Role.HR)
    compliance = factories.make_user(organisation=organisation, role=User.Role.COMPLIANCE)
    traveller_user = factories.make_user(organisation=organisation, role=User.Role.TRAVELLER)
    colleague_user = factories.make_user(organisation=organisation, role=User.Role.TRAVELLER)
    for user in [hr, compliance, traveller_user, colleague_user]:
        factories.make_authenticator(user=user, recovery_codes=[f"{prefix.lower()}code{user.pk}"])
    traveller = factories.make_traveller(
        organisation=organisation,
        employee_number=f"{prefix}-1",
        user=traveller_user,
        hr_owner=hr,
    )
    factories.make_traveller(
        organisation=organisation, employee_number=f"{prefix}-2", user=colleague_user
    )
    visa = factories.make_visa(traveller=traveller)
    trip = factories.make_trip(
        traveller=traveller, entry=date(2026, 3, 2), days=10, address="Abay Ave 1"
    )
    planned_trip = factories.make_trip(traveller=traveller, entry=today + timedelta(days=30))
    current_trip = factories.make_trip(
        traveller=traveller, entry=today - timedelta(days=5), exit=today + timedelta(days=10)
    )
    corrected = factories.make_trip(traveller=traveller, entry=date(2026, 1, 5), days=5)
    correction = TripCorrection.objects.create(
        trip=corrected, country="KZ", entry=date(2026, 1, 6), exit=corrected.exit
    )
    address_change = factories.make_address_change(trip=trip)
    proof = evidence_files.store(
        evidence_files.check(SimpleUploadedFile("stamp.png", tiny_png())),
        traveller=traveller,
        subject={"trip": trip},
        kind="stamp",
        by=hr,
    )
    notification = factories.make_notification(trip=trip)
    alert = None
    if apps.is_installed("trips") and "alert" in apps.get_app_config("trips").models:
        alert = apps.get_model("trips", "Alert").objects.create(
            traveller=traveller,
            kind="stay_day",
            subject=f"trip:{trip.pk}",
            severity="attention",
            opened_on=today,
            params={"day": 26, "exit": "2026-03-31"},
        )
    snapshots.refresh_snapshot(traveller, on=today)
    api_token, _key = factories.make_api_token(created_by=compliance)
    # A checked import file of HR's, with one new trip to save, and everyone's calendar feed.
    row = imports.Row(
        line=2,
        employee_number=traveller.employee_number,
        country="DE",
        entry=today + timedelta(days=60),
        exit=today + timedelta(days=65),
    )
    checked = import_preview.check(Traveller.objects.filter(pk=traveller.pk), [row], on=today)
    lines = [
        [1, ["employee_number", "country", "entry", "exit"], []],
        [2, [row.employee_number, row.country, row.entry.isoformat(), row.exit.isoformat()], []],
    ]
    stored = import_preview.store(checked, user=hr, file_name="trips.csv", on=today, lines=lines)
    for user in (hr, compliance, colleague_user):
        feeds.issue(user)
    feed_token = feeds.issue(traveller_user)
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation, url=f"https://hooks.example.com/{prefix}"
    )
    webhooks.record(organisation.pk, "trip.created", traveller.pk, {"id": trip.pk})
    # Disabled after its failures: enabling it again is a change.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now(), failures=20)
    return Side(
        organisation,
        hr,
        compliance,
        traveller,
        trip,
        planned_trip,
        current_trip,
        correction,
        proof,
        visa,
        address_change,
        notification,
        alert,
        api_token,
        traveller_user,
        colleague_user,
        stored.token,
        feed_token,
        endpoint,
        endpoint.deliveries.get(),
    )


# Under pytest-xdist the module runs on one worker, so the world is built once.
pytestmark = pytest.mark.xdist_group("permissions")


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """Both organisations, built once: each test runs in a savepoint rolled back after it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        today = timezone.localdate()
        yield {
            "A": make_side("Org A", "A", today, require_two_factor=True),
            "B": make_side("Org B", "B", today, require_two_factor=False),
        }
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


def user_for(world, role: str):
    a = world["A"]
    return {
        "anonymous": None,
        "hr": a.hr,
        "compliance": a.compliance,
        "owner": a.traveller_user,
        "colleague": a.colleague_user,
        "outsider": world["B"].hr,
    }[role]


def kwargs_for(name: str, side: Side, *, planned: str = "") -> dict:
    trip = {"planned": side.planned_trip, "current": side.current_trip}.get(planned, side.trip)
    sources = {
        "correction_pk": side.correction,
        "evidence_pk": side.evidence,
        "pk": side.alert if name.startswith("trips:alert_") else side.traveller,
        "trip_pk": trip,
        "visa_pk": side.visa,
        "change_pk": side.address_change,
        "notification_pk": side.notification,
        "token_pk": side.api_token,
        "endpoint_pk": side.webhook_endpoint,
        "delivery_pk": side.webhook_delivery,
        "token": side.feed_token if name in TOKEN_AUTHENTICATED else side.import_token,
    }
    kwargs = {}
    for kwarg in url_kwargs(name):
        assert kwarg in sources, f"{name}: add its URL argument {kwarg!r} to kwargs_for()"
        assert sources[kwarg], f"{name}: the world has no object for {kwarg!r}"
        kwargs[kwarg] = getattr(sources[kwarg], "pk", sources[kwarg])
    return kwargs


def post_data(name: str, side: Side, *, planned: str = "") -> dict:
    """Valid data for each changing URL, so that only the access policy can refuse it."""
    today = timezone.localdate()
    trip = {"planned": side.planned_trip, "current": side.current_trip}.get(planned, side.trip)
    traveller = side.traveller
    import_row = (
        f"{traveller.employee_number},DE,{today + timedelta(days=90)},"
        f"{today + timedelta(days=95)},conference,,\n"
    )
    data = {
        "trips:traveller_create": {
            "name": "Nina New",
            "employee_number": f"{traveller.employee_number}-new",
            "citizenship": "DE",
            "language": "en",
            "active": "on",
        },
        "trips:traveller_update": {
            "name": "Renamed Person",
            "employee_number": traveller.employee_number,
            "citizenship": "DE",
            "language": "en",
            "active": "on",
        },
        "trips:trip_create": {
            "country": "DE",
            "entry": today + timedelta(days=60),
            "exit": today + timedelta(days=65),
            "purpose": "conference",
        },
        "trips:trip_update": {
            "country": trip.country,
            "entry": trip.entry,
            "exit": trip.exit,
            "purpose": "conference",
            "host": "Changed Host",
        },
        "trips:visa_create": {
            "country": "KZ",
            "kind": "c3",
            "number": "NEW-1",
            "valid_from": "2026-07-01",
            "valid_until": "2026-12-31",
        },
        "trips:visa_update": {
            "country": "KZ",
            "kind": "b2_multiple",
            "number": "CHANGED-1",
            "valid_from": "2026-01-01",
            "valid_until": "2026-06-29",
            "days_allowed": 90,
        },
        "trips:current_exit": {"exit": today + timedelta(days=12)},
        "trips:plan_save": {
            "country": "DE",
            "entry": today + timedelta(days=70),
            "exit": today + timedelta(days=75),
            "purpose": "conference",
            "current_exit": today + timedelta(days=12),
        },
        "trips:correction_create": {
            "country": trip.country,
            "entry": trip.entry + timedelta(days=1),
            "exit": trip.exit,
            "note": "The stamp says so.",
        },
        "trips:correction_decide": {"decision": "accept"},
        "trips:evidence_upload": {
            "subject": f"trip:{trip.pk}",
            "kind": "boarding_pass",
            "file": SimpleUploadedFile("pass.png", tiny_png()),
        },
        "trips:address_change_create": {
            "changed_on": trip.entry + timedelta(days=1 if planned == "current" else 5),
            "new_address": "Satpaev St 9",
        },
        "trips:address_change_update": {
            "changed_on": trip.entry + timedelta(days=4),
            "new_address": "Satpaev St 10",
        },
        "trips:notification_create": {
            "reason": "address_change",
            "address_change": side.address_change.pk,
            "address": "Dostyk Ave 5, Almaty",
            "filed_on": side.address_change.changed_on,
            "reference": "EQ-NEW",
        },
        "trips:notification_update": {
            "reason": "arrival",
            "address": "Abay Ave 1",
            "filed_on": trip.entry,
            "reference": "EQ-CHANGED",
        },
        "trips:traveller_erase": {"confirm": "on"},
        "trips:alert_assign": {"assignee": side.hr.pk},
        "trips:api_token_create": {
            "name": "Personio sync",
            "role": "read_write",
            "valid_until": today + timedelta(days=90),
        },
        "trips:alert_resolve": {"note": "Called the host; the stay ends on time."},
        "trips:webhook_list": {"url": "https://hr.example.com/staysite"},
        "trips:organisation_settings": {
            "allowance_warning_days": 12,
            "stay_day_warning": 20,
            "exit_warning_days": 5,
            "visa_expiry_warning_days": 30,
            "montage_warning_days": 100,
            "tax_warning_days": 150,
            "tax_window": "12_months",
            "montage_year": "calendar",
            "merge_same_day_reentry": "on",
            "registration_lead_days": 7,
        },
        "trips:calendar_year_update": {
            "year": 2026,
            "holidays": "2026-03-09\n2026-03-23",
            "transferred_working_days": "",
        },
        "two_factor_verify": {"code": "000000"},
        "two_factor_setup": {"code": "000000"},
        "trips:import_map": {
            "header_line": "1",
            "column-0": "employee_number",
            "column-1": "country",
            "column-2": "entry",
            "column-3": "exit",
        },
        "trips:roster_import": {
            "file": SimpleUploadedFile(
                "travellers.csv", b"employee_number,name,citizenship\nE-7777,Nina New,DE\n"
            )
        },
        "trips:feed_reminder": {"reminder_days": "7"},
        "trips:visa_import": {
            "file": SimpleUploadedFile(
                "visas.csv",
                (
                    "employee_number,issued_by,visa_kind,valid_from,valid_until\n"
                    f"{traveller.employee_number},KZ,c3,{today},{today + timedelta(days=90)}\n"
                ).encode(),
            )
        },
        "trips:trip_import": {
            "file": SimpleUploadedFile(
                "trips.csv",
                ("employee_number,country,entry,exit,purpose,host,address\n" + import_row).encode(),
            )
        },
    }
    return data.get(name, {"anything": "at all"})


# --- Snapshots of the database -----------------------------------------------------------

# Login bookkeeping: sessions, login attempts, and the authenticators' last-used codes.
IGNORED_APPS = {"sessions", "axes", "contenttypes", "otp_totp"}
# Written by every login or API request, whatever it may do.
BOOKKEEPING = {"last_login", "last_used_at"}
# Counted for every API request, whatever it may do: the rate limit's counts.
BOOKKEEPING_MODELS = {"trips.ApiRequestCount"}
ORGANISATION_PATHS = {
    "Organisation": "pk",
    "User": "organisation",
    "Traveller": "organisation",
    "Trip": "traveller__organisation",
    "Visa": "traveller__organisation",
    "AddressChange": "trip__traveller__organisation",
    "Notification": "trip__traveller__organisation",
    "TripCorrection": "trip__traveller__organisation",
    "Evidence": "traveller__organisation",
    "StatusSnapshot": "traveller__organisation",
    "Alert": "traveller__organisation",
    "ApiToken": "organisation",
    "IdempotencyKey": "token__organisation",
    "CalendarYear": "organisation",
    "ImportPreview": "user__organisation",
    "ImportColumnName": "organisation",
    "CalendarFeed": "user__organisation",
    "WebhookEndpoint": "organisation",
    "WebhookEvent": "organisation",
    "WebhookDelivery": "endpoint__organisation",
    "WebhookAttempt": "delivery__endpoint__organisation",
}


def database_rows() -> dict[str, list[tuple]]:
    """Every row of every table (history included), but sessions and login attempts."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in IGNORED_APPS or model._meta.label in BOOKKEEPING_MODELS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in BOOKKEEPING]
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return rows


def organisation_rows(organisation: Organisation) -> dict[str, list[tuple]]:
    rows = {}
    for model in apps.get_app_config("trips").get_models():
        lookup = ORGANISATION_PATHS.get(model.__name__)
        if lookup is None:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in BOOKKEEPING]
        queryset = model._base_manager.filter(**{lookup: organisation.pk}).order_by("pk")
        rows[model.__name__] = list(queryset.values_list(*fields))
    return rows


def assert_same(before: dict, after: dict) -> None:
    for table in before:
        assert after[table] == before[table], f"{table} changed"


# --- The matrix --------------------------------------------------------------------------


def has_object(name: str) -> bool:
    return bool(url_kwargs(name))


def foreign_status(own: str) -> str:
    """What a role gets on another organisation's object, from what it gets on its own.

    A 404; but a request the role may not make at all (403: not their role; 405: not this
    method) may be refused before the object is looked up. Either way the answer does not
    depend on whether the object exists.
    """
    if own in {"403", "405"}:
        return f"{own}|404"
    return "404"


def cells():
    """(url name, planned, role, target, method, expected status) for every cell."""
    present = url_names()
    tables = [(EXPECTED, ""), (PLANNED, "planned"), (CURRENT, "current")]
    for table, planned in tables:
        for name, expected in sorted(table.items()):
            if name not in present:
                continue  # test_every_url_has_a_row_in_the_matrix says so
            targets = ["A", "B"] if has_object(name) else ["A"]
            for target in targets:
                for role in ["anonymous", *ROLES]:
                    for index, method in enumerate(["get", "post"]):
                        if name in TOKEN_AUTHENTICATED or (role == "anonymous" and name in PUBLIC):
                            status = expected["hr"].split("/")[index]
                        elif role == "anonymous":
                            status = "302"
                        elif target == "B" and role == "outsider":
                            # Organisation B's HR on their own object: what hr gets on A's.
                            status = expected["hr"].split("/")[index]
                        elif target == "B":
                            status = foreign_status(expected[role].split("/")[index])
                        else:
                            status = expected[role].split("/")[index]
                        label = planned
                        yield pytest.param(
                            name,
                            planned,
                            role,
                            target,
                            method,
                            status,
                            id=f"{name}{label}-{role}-{target}-{method}-{status}",
                        )


def test_every_url_has_a_row_in_the_matrix():
    assert url_names() == set(EXPECTED), (
        "Add a row to EXPECTED for each new URL (and remove rows of URLs that are gone)"
    )


def test_the_matrix_covers_every_role_and_both_organisations():
    params = list(cells())
    roles = {param.values[2] for param in params}
    assert roles == {"anonymous", *ROLES}
    assert {param.values[3] for param in params} == {"A", "B"}
    assert len(params) >= len(EXPECTED) * len(roles) * 2


@pytest.mark.parametrize(("name", "planned", "role", "target", "method", "status"), list(cells()))
def test_permission_matrix(world, name, planned, role, target, method, status):
    side = world[target]
    if role == "outsider" and not has_object(name):
        side = world["B"]  # organisation B's HR on their own organisation's page
    client = Client()
    user = user_for(world, role)
    if user is not None:
        log_in(client, user)
    url = reverse(name, kwargs=kwargs_for(name, side, planned=planned))
    before = database_rows()
    other = (
        world["B"]
        if user is not None and user.organisation_id == world["A"].organisation.pk
        else world["A"]
    )
    other_before = organisation_rows(other.organisation)

    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, post_data(name, side, planned=planned))

    allowed = {int(code) for code in status.split("|")}
    assert response.status_code in allowed, (
        f"{method.upper()} {url} as {role}: {response.status_code}, expected {status}"
    )
    if role == "anonymous" and name not in PUBLIC | TOKEN_AUTHENTICATED:
        assert response.url.startswith(reverse("login") + "?next=")
    if allowed <= REFUSED and not (allowed == {302} and role != "anonymous"):
        assert_same(before, database_rows())
    assert_same(other_before, organisation_rows(other.organisation))
    if method == "post" and allowed == {302} and role != "anonymous":
        # An allowed change really happened: the valid data was not refused as invalid.
        assert database_rows() != before or name in NO_CHANGE


@pytest.mark.parametrize(
    "name", sorted(set(EXPECTED) - {"two_factor_verify"} - PUBLIC - TOKEN_AUTHENTICATED)
)
def test_without_the_second_factor_every_page_sends_to_the_code_page(world, name):
    """A user who gave the password but not the code yet can reach nothing but the code page."""
    client = Client()
    client.force_login(world["A"].hr)
    url = reverse(name, kwargs=kwargs_for(name, world["A"]))
    before = database_rows()

    responses = [client.get(url), client.post(url, post_data(name, world["A"]))]

    for response in responses:
        assert response.status_code == 302
        assert response.url.startswith(reverse("two_factor_verify"))
    assert_same(before, database_rows())
