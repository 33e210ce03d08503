"""Personas and shared fixtures."""

import json
import os
import tempfile

# Playwright's sync API runs an event loop in the test thread; Django's live server would
# otherwise refuse ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Proof files written by tests go to a folder of their own, not the development one.
os.environ.setdefault(
    "STAYSITE_EVIDENCE_STORAGE_OPTIONS",
    json.dumps({"location": tempfile.mkdtemp(prefix="staysite-evidence-")}),
)

import pytest  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tests import factories
from tests.net import free_port  # noqa: E402
from trips.models import User  # noqa: E402

PASSWORD = "a-long-test-password"


def log_in(client: Client, user: User) -> None:
    """Logs `user` in, through the code page when they have an authenticator app.

    The password step is skipped (force_login): tests/trips/test_security.py tests it.
    """
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        response = client.post(
            reverse("two_factor_verify"), {"code": factories.current_code(device)}
        )
        assert response.status_code == 302, "the authenticator's current code was refused"
        assert client.session.get("otp_device_id") == device.persistent_id


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's logged-in superuser, with the second factor staff must give."""
    factories.make_authenticator(user=admin_user)
    log_in(client, admin_user)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas hash real passwords; a fast hasher keeps each test's setup short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_daily_run_in_requests(settings):
    """Tests set up one day's snapshots and alerts by hand; a daily run started by their first
    request would redo them. tests/trips/test_daily.py switches it back on."""
    settings.STAYSITE_DAILY_RUN_IN_REQUESTS = False


@pytest.fixture
def organisation(db):
    return factories.make_organisation(name="Steppe Engineering GmbH")


@pytest.fixture
def other_organisation(db):
    return factories.make_organisation(name="Other Company AG")


@pytest.fixture
def hr(organisation):
    return factories.make_user(
        organisation=organisation, role=User.Role.HR, username="hanna.hr", first_name="Hanna"
    )


@pytest.fixture
def compliance(organisation):
    return factories.make_user(
        organisation=organisation, role=User.Role.COMPLIANCE, username="carl.compliance"
    )


@pytest.fixture
def traveller_user(organisation):
    return factories.make_user(
        organisation=organisation, role=User.Role.TRAVELLER, username="tom.traveller"
    )


@pytest.fixture
def traveller(organisation, traveller_user, hr):
    """Tom, a German engineer with a login of his own; Hanna is his HR owner."""
    return factories.make_traveller(
        organisation=organisation,
        name="Tom Weber",
        employee_number="E-1001",
        citizenship="DE",
        user=traveller_user,
        hr_owner=hr,
    )


@pytest.fixture
def other_traveller(organisation):
    """A colleague in the same organisation, without a login."""
    return factories.make_traveller(
        organisation=organisation,
        name="Aigerim Sadykova",
        employee_number="E-1002",
        citizenship="KZ",
    )


@pytest.fixture
def foreign_hr(other_organisation):
    return factories.make_user(organisation=other_organisation, role=User.Role.HR)


@pytest.fixture
def foreign_traveller(other_organisation):
    """A traveller of another organisation: nobody here may see them."""
    return factories.make_traveller(organisation=other_organisation, name="Outsider Person")


def pytest_terminal_summary(terminalreporter):
    """The property tests' coverage: how many histories and days they checked."""
    from tests.counts import COVERED

    for name, counts in sorted(COVERED.items()):
        terminalreporter.write_line(
            f"{name}: {counts['histories']} histories, {counts['days']} days checked"
        )


@pytest.fixture
def smtp(settings):
    """The SMTP settings pointed at a local port where no server listens yet."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port
