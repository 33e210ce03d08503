"""Two-factor login in the browser: an organisation that requires it, from the emailed
set-up link to login."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_required_second_factor_is_set_up_at_login_and_asked_for_at_the_next(
    page: Page, live_server, log_in, organisation, compliance
):
    organisation.require_two_factor = True
    organisation.save()
    compliance.email = "carl@example.com"
    compliance.save()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(compliance.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("two_factor_setup"))))
    page.get_by_role("button", name="Send the link").click()
    link = re.search(r"(/accounts/two-factor/setup/confirm/\?token=\S+)", mail.outbox[-1].body)
    page.goto(live_server.url + link.group(1))
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    key = page.locator("code.otp-key").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{TOTP(b32decode(key)).token():06d}")
    page.get_by_role("button", name="Turn on two-factor login").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("two_factor_recovery_codes"))))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(compliance)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
