"""The conformance page in a browser: reached from the footer, every example ticked."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

import rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_footer_leads_to_the_examples_and_every_one_is_ticked(page: Page, live_server):
    page.goto(live_server.url + reverse("login"))

    page.get_by_role(
        "link", name="How staysite's answers compare with the published examples"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "staysite against the published examples"
    )
    expect(page.locator(".example .tick")).to_have_count(len(rules.CONFORMANCE_EXAMPLES))
    expect(page.locator(".example .cross")).to_have_count(0)
    expect(page.locator(".example .source")).to_have_count(len(rules.CONFORMANCE_EXAMPLES))
