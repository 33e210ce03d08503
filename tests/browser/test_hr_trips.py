"""HR adds a trip inline: the table and the status panel update without a page reload."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_adds_a_trip_inline_and_the_status_panel_follows(log_in, live_server, hr, traveller):
    today = timezone.localdate()
    entry = today - timedelta(days=4)
    page: Page = log_in(hr)
    page.goto(live_server.url + reverse("trips:traveller_detail", args=[traveller.pk]))
    # A marker on the window survives swaps but not a reload.
    page.evaluate("window.notReloaded = true")
    panel = page.locator("#status-panel")
    # The panel's wording is the dashboard's: it must change, whatever it says.
    before = panel.inner_text()

    page.get_by_role("link", name="Add trip").click()
    row = page.locator("#trip-form-new")
    row.get_by_label("Country:", exact=True).select_option("KZ")
    row.get_by_label("Entry:", exact=True).fill(entry.isoformat())
    row.get_by_label("Host / inviting party:", exact=True).fill("Kazakh Steel")
    row.get_by_role("button", name="Save").click()

    trips = page.locator("#trip-table")
    expect(trips).to_contain_text("Kazakh Steel")
    expect(trips).to_contain_text("still there")
    expect(panel).not_to_have_text(before)
    assert page.evaluate("window.notReloaded") is True
    assert traveller.trips.get().host == "Kazakh Steel"


def test_an_invalid_inline_trip_shows_the_error_in_place(log_in, live_server, hr, traveller):
    page: Page = log_in(hr)
    page.goto(live_server.url + reverse("trips:traveller_detail", args=[traveller.pk]))

    page.get_by_role("link", name="Add trip").click()
    row = page.locator("#trip-form-new")
    row.get_by_label("Country:", exact=True).select_option("KZ")
    row.get_by_label("Entry:", exact=True).fill("2026-03-05")
    row.get_by_label("Exit:", exact=True).fill("2026-03-01")
    row.get_by_role("button", name="Save").click()

    expect(page.locator("#trip-form-new")).to_contain_text(
        "Exit 1 Mar 2026 is before entry 5 Mar 2026"
    )
    expect(page.locator("#trip-form-new").get_by_label("Entry:", exact=True)).to_have_value(
        "2026-03-05"
    )
    assert not traveller.trips.exists()
