"""Lockouts and rate limits behind a reverse proxy: an attacker cannot lock anyone else out.

The proxy (10.0.0.1) is REMOTE_ADDR for everybody; the client's address is the entry the
proxy appended to X-Forwarded-For (STAYSITE_TRUSTED_PROXIES = 1).
"""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
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
