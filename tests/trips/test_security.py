"""Login throttling, CSRF, security headers, no inline script, deploy checks, demo logins."""

import os
import re
import secrets
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import PASSWORD
from trips.models import Notification, Traveller, Trip, User

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMPLATES = BASE_DIR / "templates"


def login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


# Login throttling (django-axes)


def test_a_correct_login_reaches_the_dashboard(client, hr):
    response = login(client, hr.username, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("trips:home")


def test_five_failed_logins_lock_the_username_out_even_with_the_right_password(client, hr):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, hr.username, "wrong-password")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()

    locked = login(client, hr.username, "wrong-password")
    after = login(client, hr.username, PASSWORD)

    assert settings.AXES_FAILURE_LIMIT == 5
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_username_so_a_colleague_may_still_log_in(client, hr, compliance):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, hr.username, "wrong-password")

    response = login(client, compliance.username, PASSWORD)

    assert response.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, hr):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, hr.username, "wrong-password")
    assert login(client, hr.username, PASSWORD).status_code == 302
    client.logout()

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, hr.username, "wrong-password")
    assert response.status_code == 200
    assert login(client, hr.username, PASSWORD).status_code == 302


# CSRF, HTMX included


@pytest.fixture
def csrf_client(hr):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr)
    return client


def csrf_token(client: Client) -> str:
    page = client.get(reverse("trips:traveller_list"))
    assert page.status_code == 200
    match = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page.content.decode())
    assert match, "base.html must send the CSRF token to htmx in hx-headers on <body>"
    return match.group(1)


def test_a_post_without_the_csrf_token_is_refused(csrf_client):
    response = csrf_client.post(reverse("logout"), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert "_auth_user_id" in csrf_client.session


def test_an_htmx_post_with_the_token_in_the_x_csrftoken_header_is_accepted(csrf_client):
    token = csrf_token(csrf_client)

    response = csrf_client.post(
        reverse("logout"), headers={"HX-Request": "true", "X-CSRFToken": token}
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in csrf_client.session


def test_a_form_post_with_the_token_field_is_accepted(csrf_client):
    token = csrf_token(csrf_client)

    response = csrf_client.post(reverse("logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302


def test_the_login_form_itself_needs_the_csrf_token(hr):
    client = Client(enforce_csrf_checks=True)

    response = login(client, hr.username, PASSWORD)

    assert response.status_code == 403


def test_an_htmx_change_with_the_token_header_is_saved(csrf_client, traveller):
    token = csrf_token(csrf_client)

    response = csrf_client.post(
        reverse("trips:trip_create", args=[traveller.pk]),
        {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05", "purpose": "tourism"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )

    assert response.status_code == 200
    assert traveller.trips.count() == 1


def test_an_htmx_change_without_the_token_is_refused_and_nothing_is_saved(csrf_client, traveller):
    response = csrf_client.post(
        reverse("trips:trip_create", args=[traveller.pk]),
        {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05", "purpose": "tourism"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert traveller.trips.count() == 0


# Accounts: password reset by email and password change, with our templates


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, hr, mailoutbox):
    hr.email = "hanna@example.com"
    hr.save()

    response = client.post(reverse("password_reset"), {"email": "hanna@example.com"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another-long-password", "new_password2": "another-long-password"},
    )
    assert done.status_code == 302
    hr.refresh_from_db()
    assert hr.check_password("another-long-password")


def test_in_production_the_reset_link_is_built_from_the_base_url_not_the_host_header(
    client, hr, mailoutbox, settings
):
    settings.STAYSITE_LINKS_FROM_REQUEST = False
    settings.STAYSITE_BASE_URL = "https://staysite.example.com"
    settings.ALLOWED_HOSTS = ["testserver", "staysite.example.com"]
    hr.email = "hanna@example.com"
    hr.save()

    client.post(
        reverse("password_reset"), {"email": hr.email}, HTTP_HOST="staysite.example.com:8666"
    )

    (email,) = mailoutbox
    assert "https://staysite.example.com/accounts/reset/" in email.body
    assert "8666" not in email.body


def test_in_development_the_reset_link_is_the_requests_own_address(
    client, hr, mailoutbox, settings
):
    settings.STAYSITE_LINKS_FROM_REQUEST = True
    hr.email = "hanna@example.com"
    hr.save()

    client.post(reverse("password_reset"), {"email": hr.email}, HTTP_HOST="localhost:8123")

    assert "http://localhost:8123/accounts/reset/" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param({}, "https://staysite.example.com", id="production-first-allowed-host"),
        pytest.param(
            {"STAYSITE_BASE_URL": "https://stays.example.org/"},
            "https://stays.example.org",
            id="production-set",
        ),
        pytest.param({"DJANGO_DEBUG": "true"}, "http://127.0.0.1:8000", id="development-default"),
    ],
)
def test_the_base_url_of_links_in_emails(variables, expected):
    env = production_environment()
    env.pop("STAYSITE_BASE_URL", None)
    env.update(variables)
    read = "from staysite import settings; print(settings.STAYSITE_BASE_URL)"

    result = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True)

    assert result.stdout.strip() == expected, result.stderr


def test_a_reset_for_an_unknown_address_reveals_nothing(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


def test_a_logged_in_user_changes_their_password(client, hr):
    client.force_login(hr)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password",
            "new_password2": "another-long-password",
        },
    )

    assert response.status_code == 302
    hr.refresh_from_db()
    assert hr.check_password("another-long-password")


@pytest.mark.django_db
def test_the_password_change_page_needs_a_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Security headers


def test_pages_carry_a_content_security_policy_without_inline_script(client, hr):
    client.force_login(hr)

    response = client.get(reverse("trips:traveller_list"))

    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "password_reset"])
def test_public_pages_carry_the_security_headers(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_logged_in_pages_carry_the_security_headers(client, hr):
    client.force_login(hr)

    response = client.get(reverse("trips:traveller_list"))

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookies_are_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY is True


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.html"))


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def test_the_template_scan_finds_what_it_forbids():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/site.js" defer></script>')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<button class="button" data-on="x">')
    assert STYLE_ATTRIBUTE.search('<p style="color: red">')
    assert STYLE_ELEMENT.search("<style>p {}</style>")
    assert not STYLE_ELEMENT.search(TEMPLATE_COMMENT.sub("", "{# no inline <style> #}"))


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_templates_contain_no_inline_script_or_style(path):
    """The Content Security Policy would block them: JS goes in static/js, CSS in site.css."""
    text = TEMPLATE_COMMENT.sub("", path.read_text())

    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js/"
    assert not EVENT_HANDLER.search(text), "on...= handler: use static/js/site.js"
    assert not STYLE_ATTRIBUTE.search(text), "style= attribute: use a class in site.css"
    assert not STYLE_ELEMENT.search(text), "<style> element: use static/css/site.css"


def test_there_are_templates_to_scan():
    assert len(template_files()) > 10


# Production settings


def production_environment() -> dict[str, str]:
    env = os.environ.copy()
    # The tests' own switch (tests/conftest.py) is an error in production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Only the three required variables: everything else must default to production-safe.
    for name in (
        "DATABASE_URL",
        "EMAIL_BACKEND",
        "STAYSITE_ALLOW_DEMO_LOGINS",
        "DJANGO_SECURE_COOKIES",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_HSTS_SECONDS",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="staysite.example.com",
    )
    return env


def test_check_deploy_reports_nothing_with_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_settings_make_cookies_secure_and_refuse_demo_logins():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.STAYSITE_ALLOW_DEMO_LOGINS)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"]


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_environment()
    del env["DJANGO_SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


# Demo accounts


@pytest.fixture
def demo_user(organisation):
    return factories.make_user(
        organisation=organisation, role=User.Role.HR, username="demo.hr", is_demo=True
    )


def authenticate_demo(username: str):
    request = RequestFactory().post(reverse("login"))
    return authenticate(request, username=username, password=PASSWORD)


@override_settings(STAYSITE_ALLOW_DEMO_LOGINS=False)
def test_demo_accounts_cannot_log_in_where_demo_logins_are_off(client, demo_user):
    assert authenticate_demo(demo_user.username) is None
    response = login(client, demo_user.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(STAYSITE_ALLOW_DEMO_LOGINS=False)
def test_demo_accounts_with_a_session_are_logged_out_where_demo_logins_are_off(client, demo_user):
    client.force_login(demo_user)

    response = client.get(reverse("trips:traveller_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@override_settings(STAYSITE_ALLOW_DEMO_LOGINS=False)
def test_real_accounts_still_log_in_where_demo_logins_are_off(hr):
    request = RequestFactory().post(reverse("login"))
    assert authenticate(request, username=hr.username, password=PASSWORD) == hr


@override_settings(STAYSITE_ALLOW_DEMO_LOGINS=True)
def test_demo_accounts_log_in_where_demo_logins_are_on(demo_user):
    assert authenticate_demo(demo_user.username) == demo_user


# --- Forged form fields: ids of other organisations' and other travellers' records -------


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def posted(client, user, name: str, kwargs: dict, data: dict, **extra):
    client.force_login(user)
    return client.post(reverse(name, kwargs=kwargs), data, **extra)


def trip_fields(**fields) -> dict:
    return {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05", **fields}


def test_a_trip_cannot_name_another_organisations_visa(
    client, fast_passwords, hr, traveller, foreign_traveller
):
    foreign_visa = factories.make_visa(traveller=foreign_traveller)

    response = posted(
        client,
        hr,
        "trips:trip_create",
        {"pk": traveller.pk},
        trip_fields(purpose="business_meeting", visa=foreign_visa.pk),
    )

    assert response.status_code == 200
    assert "Choose one of this traveller&#x27;s own visas." in response.content.decode()
    assert not Trip.objects.exists()


def test_a_trip_cannot_name_a_colleagues_visa(
    client, fast_passwords, hr, traveller, other_traveller
):
    colleague_visa = factories.make_visa(traveller=other_traveller)

    posted(
        client,
        hr,
        "trips:trip_create",
        {"pk": traveller.pk},
        trip_fields(purpose="business_meeting", visa=colleague_visa.pk),
    )

    assert not Trip.objects.exists()


def test_a_traveller_planning_a_trip_cannot_name_a_colleagues_visa(
    client, fast_passwords, traveller_user, traveller, other_traveller
):
    colleague_visa = factories.make_visa(traveller=other_traveller)
    entry = timezone.localdate() + timedelta(days=20)

    response = posted(
        client,
        traveller_user,
        "trips:trip_create",
        {"pk": traveller.pk},
        trip_fields(
            purpose="business_meeting",
            entry=entry,
            exit=entry + timedelta(days=3),
            visa=colleague_visa.pk,
        ),
    )

    assert response.status_code == 200
    assert not Trip.objects.exists()


def test_a_forged_traveller_field_does_not_move_a_trip(
    client, fast_passwords, hr, traveller, other_traveller, foreign_traveller
):
    trip = factories.make_trip(traveller=traveller)

    for forged in (other_traveller, foreign_traveller):
        posted(
            client,
            hr,
            "trips:trip_update",
            {"pk": traveller.pk, "trip_pk": trip.pk},
            {**trip_fields(purpose="conference"), "traveller": forged.pk},
        )

    trip.refresh_from_db()
    assert trip.traveller == traveller
    assert not foreign_traveller.trips.exists()
    assert not other_traveller.trips.exists()


def test_a_trip_of_another_traveller_cannot_be_reached_through_ones_own_url(
    client, fast_passwords, hr, traveller, foreign_traveller, other_traveller
):
    for someone_else in (foreign_traveller, other_traveller):
        trip = factories.make_trip(traveller=someone_else)
        url_kwargs = {"pk": traveller.pk, "trip_pk": trip.pk}

        edit = posted(client, hr, "trips:trip_update", url_kwargs, trip_fields(host="Forged"))
        note = posted(
            client,
            hr,
            "trips:notification_create",
            url_kwargs,
            {"reason": "arrival", "address": "X", "filed_on": "2026-03-02"},
        )

        assert (edit.status_code, note.status_code) == (404, 404)
        assert Trip.objects.get(pk=trip.pk).host == ""
        assert not Notification.objects.exists()


def test_a_notification_cannot_name_another_trips_address_change(
    client, fast_passwords, hr, traveller, foreign_traveller
):
    trip = factories.make_trip(traveller=traveller)
    foreign_change = factories.make_address_change(
        trip=factories.make_trip(traveller=foreign_traveller)
    )

    response = posted(
        client,
        hr,
        "trips:notification_create",
        {"pk": traveller.pk, "trip_pk": trip.pk},
        {
            "reason": "address_change",
            "address_change": foreign_change.pk,
            "address": "Forged Street 1",
            "filed_on": "2026-03-06",
        },
    )

    assert response.status_code == 200
    assert "Choose one of this trip&#x27;s address changes." in response.content.decode()
    assert not Notification.objects.exists()


def test_a_traveller_cannot_be_given_another_organisations_login_or_hr_owner(
    client, fast_passwords, hr, foreign_hr, other_organisation
):
    foreign_login = factories.make_user(organisation=other_organisation, role=User.Role.TRAVELLER)

    response = posted(
        client,
        hr,
        "trips:traveller_create",
        {},
        {
            "name": "Forged Person",
            "employee_number": "F-1",
            "citizenship": "DE",
            "language": "en",
            "user": foreign_login.pk,
            "hr_owner": foreign_hr.pk,
        },
    )

    assert response.status_code == 200
    assert not Traveller.objects.filter(name="Forged Person").exists()


def test_a_forged_organisation_field_does_not_move_a_traveller(
    client, fast_passwords, hr, traveller, other_organisation
):
    posted(
        client,
        hr,
        "trips:traveller_update",
        {"pk": traveller.pk},
        {
            "name": "Tom Weber",
            "employee_number": "E-1001",
            "citizenship": "DE",
            "language": "en",
            "active": "on",
            "organisation": other_organisation.pk,
        },
    )

    traveller.refresh_from_db()
    assert traveller.organisation_id == hr.organisation_id


def test_the_settings_page_cannot_rename_or_switch_the_organisation(
    client, fast_passwords, compliance, organisation, other_organisation
):
    posted(
        client,
        compliance,
        "trips:organisation_settings",
        {},
        {
            "name": "Forged Name",
            "pk": other_organisation.pk,
            "id": other_organisation.pk,
            "allowance_warning_days": 11,
            "stay_day_warning": 25,
            "exit_warning_days": 5,
            "visa_expiry_warning_days": 30,
            "montage_warning_days": 100,
            "tax_warning_days": 150,
            "tax_window": "12_months",
            "montage_year": "calendar",
            "merge_same_day_reentry": "on",
            "registration_lead_days": 7,
        },
    )

    organisation.refresh_from_db()
    other_organisation.refresh_from_db()
    assert organisation.name == "Steppe Engineering GmbH"
    assert organisation.allowance_warning_days == 11
    assert other_organisation.allowance_warning_days == 10


@pytest.fixture
def alert(traveller):
    Alert = apps.get_model("trips", "Alert")
    return Alert.objects.create(
        traveller=traveller,
        kind="stay_day",
        subject="trip:1",
        severity="attention",
        opened_on=date(2026, 3, 27),
        params={"day": 26, "exit": "2026-03-31"},
    )


def test_an_alert_cannot_be_assigned_to_another_organisations_user(
    client, fast_passwords, compliance, foreign_hr, alert
):
    response = posted(
        client, compliance, "trips:alert_assign", {"pk": alert.pk}, {"assignee": foreign_hr.pk}
    )

    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.assigned_to is None


def test_an_alert_can_be_assigned_to_a_colleague(client, fast_passwords, compliance, hr, alert):
    response = posted(
        client, compliance, "trips:alert_assign", {"pk": alert.pk}, {"assignee": hr.pk}
    )

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.assigned_to == hr


def test_another_organisations_alert_cannot_be_resolved(
    client, fast_passwords, other_organisation, alert
):
    foreign_compliance = factories.make_user(
        organisation=other_organisation, role=User.Role.COMPLIANCE
    )

    response = posted(
        client, foreign_compliance, "trips:alert_resolve", {"pk": alert.pk}, {"note": "Forged"}
    )

    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.state == "open"


def test_an_alert_action_does_not_redirect_to_another_site(
    client, fast_passwords, compliance, alert
):
    response = posted(
        client,
        compliance,
        "trips:alert_acknowledge",
        {"pk": alert.pk},
        {"next": "https://evil.example/phish"},
    )

    assert response.status_code == 302
    assert response.url == reverse("trips:alert_detail", args=[alert.pk])


@pytest.mark.django_db
def test_the_login_does_not_redirect_to_another_site(client, fast_passwords, hr):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": hr.username, "password": "a-long-test-password"},
    )

    assert response.status_code == 302
    assert response.url == reverse("trips:home")
