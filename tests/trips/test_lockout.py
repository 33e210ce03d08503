"""Lockouts and rate limits behind a reverse proxy: an attacker cannot lock anyone else out.

The proxy (10.0.0.1) is REMOTE_ADDR for everybody; the client's address is the entry the
proxy appended to X-Forwarded-For (STAYSITE_TRUSTED_PROXIES = 1).
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from trips.accounts import login_throttle
from trips.accounts import proxies as proxies_module
from trips.accounts.proxies import client_address

PROXY = "10.0.0.1"
ATTACKER = "198.51.100.7"
HANNA = "203.0.113.5"


def through_proxy(client_ip: str, claimed: str = "") -> Client:
    """A browser at `client_ip` behind the proxy; `claimed` is what it forges in the header."""
    forwarded = f"{claimed}, {client_ip}" if claimed else client_ip
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        pytest.param(0, "", PROXY, id="no-proxy-configured"),
        pytest.param(0, f"{HANNA}", PROXY, id="header-ignored-without-proxy"),
        pytest.param(1, f"{HANNA}", HANNA, id="one-proxy"),
        pytest.param(1, f"{HANNA}, {ATTACKER}", ATTACKER, id="forged-entries-on-the-left"),
        pytest.param(2, f"1.2.3.4, {HANNA}, 192.0.2.9", HANNA, id="two-proxies"),
        pytest.param(2, f"{HANNA}", PROXY, id="fewer-entries-than-proxies"),
    ],
)
def test_the_client_address_is_what_the_nearest_trusted_proxy_saw(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    with override_settings(STAYSITE_TRUSTED_PROXIES=proxies):
        assert client_address(request) == expected


@override_settings(STAYSITE_TRUSTED_PROXIES=1)
def test_an_attacker_behind_the_proxy_cannot_lock_out_the_user_elsewhere(hr):
    attacker = through_proxy(ATTACKER, claimed=HANNA)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, hr.username, "guessed-password")

    attacker_again = login(attacker, hr.username, PASSWORD)
    hanna = login(through_proxy(HANNA), hr.username, PASSWORD)

    assert attacker_again.status_code == 429
    assert "Too many failed logins" in attacker_again.content.decode()
    assert hanna.status_code == 302
    assert hanna.url == reverse("trips:home")


@override_settings(STAYSITE_TRUSTED_PROXIES=1)
def test_the_attacker_is_locked_out_whichever_address_they_claim(hr):
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(through_proxy(ATTACKER, claimed=f"192.0.2.{number}"), hr.username, "guess")

    response = login(through_proxy(ATTACKER, claimed="192.0.2.200"), hr.username, PASSWORD)

    assert response.status_code == 429


# Password reset: per client address and per email address, an hour at a time


def request_reset(client: Client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


@override_settings(STAYSITE_TRUSTED_PROXIES=1, STAYSITE_PASSWORD_RESETS_PER_ADDRESS=3)
def test_one_address_asking_for_many_resets_is_stopped_with_a_message(db, mailoutbox, hr):
    hr.email = "hanna@example.com"
    hr.save()
    attacker = through_proxy(ATTACKER)
    for number in range(3):
        assert request_reset(attacker, f"probe{number}@example.com").status_code == 302

    refused = request_reset(attacker, "hanna@example.com")
    hanna = request_reset(through_proxy(HANNA), "hanna@example.com")

    assert refused.status_code == 200
    assert "Too many password reset requests have come from your network" in (
        refused.content.decode()
    )
    assert hanna.status_code == 302
    assert [message.to for message in mailoutbox] == [["hanna@example.com"]]


@override_settings(STAYSITE_TRUSTED_PROXIES=1, STAYSITE_PASSWORD_RESETS_PER_EMAIL=2)
def test_one_email_address_gets_only_a_few_reset_emails_an_hour_from_one_address(
    db, mailoutbox, hr
):
    hr.email = "hanna@example.com"
    hr.save()
    for _request in range(2):
        request_reset(through_proxy(ATTACKER), "hanna@example.com")

    refused = request_reset(through_proxy(ATTACKER), "HANNA@example.com")
    other = request_reset(through_proxy(ATTACKER), "someone.else@example.com")

    assert refused.status_code == 200
    assert "requested for this address several times already" in refused.content.decode()
    assert other.status_code == 302
    assert len(mailoutbox) == 2


@override_settings(STAYSITE_TRUSTED_PROXIES=1, STAYSITE_PASSWORD_RESETS_PER_EMAIL=3)
def test_requests_for_a_victims_address_do_not_block_their_own_reset(db, mailoutbox, hr):
    hr.email = "hanna@example.com"
    hr.save()
    for _request in range(3):
        request_reset(through_proxy(ATTACKER), "hanna@example.com")
    assert request_reset(through_proxy(ATTACKER), "hanna@example.com").status_code == 200

    own = request_reset(through_proxy(HANNA), "hanna@example.com")

    assert own.status_code == 302
    assert len(mailoutbox) == 4


# Straight to staysite's port, past the proxy: X-Forwarded-For is the client's own writing


@override_settings(STAYSITE_TRUSTED_PROXIES=1)
def test_rotating_the_header_straight_to_the_port_still_locks_the_guesser_out(hr):
    for number in range(settings.AXES_FAILURE_LIMIT):
        direct = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
        login(direct, hr.username, "guess")

    direct = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert login(direct, hr.username, PASSWORD).status_code == 429


@override_settings(STAYSITE_TRUSTED_PROXIES=1)
def test_a_faked_header_straight_to_the_port_locks_out_only_the_faker(hr):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=HANNA), hr.username, "guess")

    hanna = login(through_proxy(HANNA), hr.username, PASSWORD)

    assert hanna.status_code == 302


@override_settings(STAYSITE_TRUSTED_PROXIES=1)
def test_a_request_that_bypassed_the_proxy_is_logged(db, caplog):
    Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=HANNA).get(reverse("login"))

    assert "without passing through the 1 trusted proxies" in caplog.text
    assert ATTACKER in caplog.text


@pytest.mark.parametrize(
    ("proxies", "networks", "ids"),
    [
        pytest.param(0, "", [], id="no-proxy"),
        pytest.param(1, "", ["staysite.W002"], id="proxy-without-its-addresses"),
        pytest.param(1, "0.0.0.0/0", ["staysite.W001"], id="trusting-everyone"),
        pytest.param(1, "10.0.0.1/32", [], id="the-proxys-address"),
    ],
)
def test_check_deploy_flags_risky_proxy_settings(proxies, networks, ids):
    with override_settings(
        STAYSITE_TRUSTED_PROXIES=proxies, STAYSITE_TRUSTED_PROXY_NETWORKS=networks
    ):
        found = proxies_module.check_proxy_settings()

    assert [message.id for message in found] == ids


# Per username, from anywhere: a growing pause, never a lockout


@override_settings(
    STAYSITE_TRUSTED_PROXIES=1, STAYSITE_LOGIN_FAILURES_PER_USERNAME=6, AXES_FAILURE_LIMIT=5
)
def test_guesses_spread_over_many_addresses_meet_a_pause_that_grows(hr, monkeypatch):
    monkeypatch.setattr(login_throttle, "FIRST_PAUSE_SECONDS", 60)
    for number in range(6):
        login(through_proxy(f"192.0.2.{number}"), hr.username, "guess")
    first_pause = login_throttle.seconds_to_wait(hr.username)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=61))
    login(through_proxy("192.0.2.50"), hr.username, "guess")  # after the pause: counted

    refused = login(through_proxy("192.0.2.51"), hr.username, PASSWORD)

    assert 0 < first_pause <= 60
    assert 60 < login_throttle.seconds_to_wait(hr.username) <= 120
    assert refused.status_code == 200
    assert "many failed logins for this username, from several places" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session


@override_settings(
    STAYSITE_TRUSTED_PROXIES=1, STAYSITE_LOGIN_FAILURES_PER_USERNAME=6, AXES_FAILURE_LIMIT=5
)
def test_after_the_pause_the_real_user_logs_in_from_a_new_address(hr):
    for number in range(8):
        login(through_proxy(f"192.0.2.{number}"), hr.username, "guess")
    assert login_throttle.seconds_to_wait(hr.username) > 0

    AccessAttempt.objects.update(
        attempt_time=F("attempt_time")
        - timedelta(seconds=settings.STAYSITE_LOGIN_MAX_PAUSE_SECONDS)
    )
    hanna = login(through_proxy(HANNA), hr.username, PASSWORD)

    assert hanna.status_code == 302
    assert hanna.url == reverse("trips:home")
