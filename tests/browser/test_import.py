"""HR uploads a trip file, reads the preview and confirms: the trips are saved then, not before."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "employee_number,country,entry,exit,purpose,host,address\n"
    "E-1001,KZ,2026-03-02,2026-03-11,business_meeting,Steppe LLP,Abay Ave 1\n"
    "E-1001,Atlantis,2026-04-01,2026-04-05,,,\n"
)


def test_hr_uploads_a_file_sees_the_preview_and_confirms(log_in, live_server, hr, traveller):
    page: Page = log_in(hr)
    page.goto(live_server.url + reverse("trips:trip_import"))

    page.get_by_label("CSV or Excel file").set_input_files(
        {"name": "trips.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    page.get_by_role("button", name="Check the file").click()

    rows = page.locator("#import-row-table")
    expect(rows).to_contain_text("Unknown country Atlantis")
    expect(rows).to_contain_text("New")
    assert not traveller.trips.exists()

    page.get_by_role("button", name="Save 1 trip").click()

    expect(page.locator(".messages")).to_contain_text("Imported 1 trip.")
    trip = traveller.trips.get()
    assert (trip.country, trip.entry, trip.host) == ("KZ", date(2026, 3, 2), "Steppe LLP")
