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


def test_hr_maps_a_column_of_a_file_with_a_title_confirms_and_reverts_it(
    log_in, live_server, hr, traveller
):
    """A German file with a title row and a column staysite does not know: HR maps it in the
    preview, confirms, then reverts the import and finds the dashboard as it was."""
    from datetime import timedelta

    from django.utils import timezone

    from trips.evaluation import snapshots

    today = timezone.localdate()
    snapshots.refresh_snapshot(traveller, on=today)  # the dashboard shows Tom's figures
    entry, exit = today - timedelta(days=80), today + timedelta(days=5)
    content = (
        "Dienstreisen Kasachstan 2026 – Stand 01.12.;;;;\r\n"
        "Personalnummer;Land;Einreise;Ausreise;Einladung durch\r\n"
        f"E-1001;KZ;{entry:%d.%m.%Y};{exit:%d.%m.%Y};Steppe LLP\r\n"
    ).encode("cp1252")
    page: Page = log_in(hr)
    page.goto(live_server.url + reverse("trips:home"))
    before = " ".join(page.locator("tr", has_text="Tom Weber").first.inner_text().split())

    page.goto(live_server.url + reverse("trips:trip_import"))
    page.get_by_label("CSV or Excel file").set_input_files(
        {"name": "reisen.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-read")).to_contain_text(
        "Windows-1252 text with semicolons; row 2 was read as the header."
    )
    expect(page.locator("#import-ignored")).to_contain_text("Einladung durch")
    page.locator("#import-columns").click()  # opens the column choice
    page.get_by_label("Field of column 5").select_option("host")
    page.get_by_role("button", name="Read the file again").click()
    expect(page.locator("#import-row-table")).to_contain_text("Steppe LLP")
    page.get_by_role("button", name="Save 1 trip").click()
    expect(page.locator(".messages")).to_contain_text("Imported 1 trip.")
    assert traveller.trips.get().host == "Steppe LLP"
    page.goto(live_server.url + reverse("trips:home"))
    after_import = page.locator("tr", has_text="Tom Weber").first.inner_text()
    assert " ".join(after_import.split()) != before

    page.goto(live_server.url + reverse("trips:import_batches"))
    page.get_by_role("button", name="Revert this import").click()

    expect(page.locator(".messages")).to_contain_text("everything it created is gone")
    assert not traveller.trips.exists()
    page.goto(live_server.url + reverse("trips:home"))
    after_revert = page.locator("tr", has_text="Tom Weber").first.inner_text()
    assert " ".join(after_revert.split()) == before
