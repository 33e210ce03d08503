"""HR's data out: trips and the dashboard as CSV and Excel, and the printable traveller report."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone

from tests import factories
from trips import wording
from trips.evaluation import snapshots
from trips.evaluation.findings import evaluate
from trips.models import ImportPreview, Trip


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def exported_trips(traveller, foreign_traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10, host="=HYPERLINK(1)")
    factories.make_trip(
        traveller=traveller, entry=date(2026, 4, 1), days=None, country="DE", address="-1 Main St"
    )
    factories.make_trip(traveller=foreign_traveller, entry=date(2026, 3, 2), host="Outsider")


def test_the_trips_export_as_a_workbook_has_real_dates_and_no_formulas(client, hr, exported_trips):
    client.force_login(hr)

    response = client.get(reverse("trips:trip_export") + "?format=xlsx")

    assert response["Content-Disposition"].startswith('attachment; filename="staysite-trips-')
    sheet = workbook(response)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    email = "traveller" in rows[1][1] and rows[1][1]
    assert rows == [
        ["employee_number", "email", "country", "entry", "exit", "purpose", "host", "address"],
        ["E-1001", email, "KZ", datetime(2026, 3, 2), datetime(2026, 3, 11),
         "business_meeting", "=HYPERLINK(1)", None],
        ["E-1001", email, "DE", datetime(2026, 4, 1), None, "business_meeting", None,
         "-1 Main St"],
    ]  # fmt: skip
    assert sheet["G2"].data_type == "s"  # text, never run as a formula
    assert sheet["D2"].is_date
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width


def test_the_trips_export_as_csv_neutralises_formulas(client, hr, exported_trips):
    client.force_login(hr)

    rows = csv_rows(client.get(reverse("trips:trip_export") + "?format=csv"))

    assert rows[0] == ["employee_number", "email", "country", "entry", "exit", "purpose", "host",
                       "address"]  # fmt: skip
    assert [row[2:] for row in rows[1:]] == [
        ["KZ", "2026-03-02", "2026-03-11", "business_meeting", "'=HYPERLINK(1)", ""],
        ["DE", "2026-04-01", "", "business_meeting", "", "'-1 Main St"],
    ]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_an_export_imports_again_unchanged(client, hr, exported_trips, traveller, export_format):
    client.force_login(hr)
    before = list(traveller.trips.order_by("entry").values("country", "entry", "exit", "host",
                                                            "address"))  # fmt: skip
    exported = client.get(reverse("trips:trip_export") + f"?format={export_format}").content
    traveller.trips.all().delete()

    response = client.post(
        reverse("trips:trip_import"),
        {"file": SimpleUploadedFile(f"export.{export_format}", exported)},
    )
    client.post(reverse("trips:import_confirm", args=[response.url.split("/")[-2]]))

    after = traveller.trips.order_by("entry").values("country", "entry", "exit", "host", "address")
    assert list(after) == before
    assert ImportPreview.objects.get().saved_at is not None


def test_the_dashboard_export_lists_what_the_filters_show(client, hr, traveller, other_traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=25), days=None)
    for person in (traveller, other_traveller):
        snapshots.refresh_snapshot(person, on=today)
    client.force_login(hr)
    url = reverse("trips:dashboard_export")

    everyone = workbook(client.get(url + "?format=xlsx"))
    action = workbook(client.get(url + "?format=xlsx&status=action"))
    as_csv = csv_rows(client.get(url + "?format=csv&status=action"))

    header = [cell.value for cell in everyone[1]]
    assert header[:5] == ["Status", "Reason", "Traveller", "Employee number", "Where now"]
    assert {row[2].value for row in everyone.iter_rows(min_row=2)} == {
        "Tom Weber",
        "Aigerim Sadykova",
    }
    rows = [[cell.value for cell in row] for row in action.iter_rows(min_row=2)]
    assert len(rows) == 1
    tom = dict(zip(header, rows[0], strict=True))
    assert tom["Status"] == "Action needed"  # the eQonaq notification is overdue
    assert tom["Traveller"] == "Tom Weber"
    assert tom["Where now"] == "Kazakhstan"
    assert tom["Since"].date() == today - timedelta(days=25)
    assert tom["Kazakhstan: days used"] == 26
    assert tom["Latest legal exit"].date() == today - timedelta(days=25) + timedelta(days=29)
    assert [row[2] for row in as_csv[1:]] == ["Tom Weber"]


def test_the_dashboard_links_its_export_with_the_filters(client, hr, traveller):
    client.force_login(hr)

    page = client.get(reverse("trips:home") + "?status=attention&q=Tom").content.decode()

    assert "/dashboard/export/?status=attention&amp;q=Tom&amp;format=xlsx" in page
    travellers = client.get(reverse("trips:traveller_list")).content.decode()
    assert reverse("trips:trip_export") + "?format=xlsx" in travellers


def test_the_printable_report_shows_status_timeline_trips_and_sources(
    client, traveller_user, traveller
):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=25), days=None)
    old = factories.make_trip(traveller=traveller, entry=today - timedelta(days=400), days=5)
    client.force_login(traveller_user)

    response = client.get(reverse("trips:traveller_report", args=[traveller.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Stay report: Tom Weber" in page
    status = evaluate(traveller, on=today)
    assert (
        f'<span class="status status-action">{status.status.label}</span> {status.reason}' in page
    )
    assert "<svg" in page  # the timeline
    assert "Legal sources" in page
    assert f"<li>{wording.legal_source('kz_90_180')}</li>" in page
    assert f"<li>{wording.legal_source('dta_183')}</li>" in page  # the tax days' source
    assert "Made on" in page
    assert "still there" in page  # the open trip, in the window
    assert formats.date_format(old.entry, "DATE_FORMAT") not in page  # long before the window
    assert 'media="print"' in page and "css/print" in page


def test_the_report_of_a_traveller_without_trips_says_so(client, hr, traveller):
    client.force_login(hr)

    page = client.get(reverse("trips:traveller_report", args=[traveller.pk])).content.decode()

    assert "No trips in this period." in page
    assert Trip.objects.count() == 0
