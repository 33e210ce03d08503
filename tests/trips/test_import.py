"""HR imports trips from a CSV file, all rows or none, and exports the organisation's trips."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from trips.models import StatusSnapshot, Trip

HEADER = "employee_number,country,entry,exit,purpose,host,address\n"


def upload(client, user, text: str | bytes, name: str = "trips.csv"):
    client.force_login(user)
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("trips:trip_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_hr_imports_trips_and_the_travellers_figures_are_refreshed(
    client, hr, traveller, other_traveller
):
    response = upload(
        client,
        hr,
        HEADER
        + "E-1001,KZ,2026-03-02,2026-03-11,business_meeting,Steppe LLP,Abay Ave 1\n"
        + "E-1001,DE,2026-04-01,2026-04-05,Conference,,\n"
        + "E-1002,KZ,2026-02-01,,montage,Plant,Site 4\n",
    )

    assert response.status_code == 302
    trips = Trip.objects.order_by("traveller__employee_number", "entry")
    assert [(t.traveller.employee_number, t.country, t.entry, t.exit) for t in trips] == [
        ("E-1001", "KZ", date(2026, 3, 2), date(2026, 3, 11)),
        ("E-1001", "DE", date(2026, 4, 1), date(2026, 4, 5)),
        ("E-1002", "KZ", date(2026, 2, 1), None),
    ]
    assert trips[1].purpose == Trip.Purpose.CONFERENCE
    assert StatusSnapshot.objects.filter(traveller__in=[traveller, other_traveller]).count() == 2
    page = client.get(response.url).content.decode()
    assert "Imported 3 trips." in page


def test_one_bad_row_imports_nothing_and_names_the_row(client, hr, traveller):
    response = upload(
        client,
        hr,
        HEADER
        + "E-1001,KZ,2026-01-02,2026-01-05,business_meeting,,\n"
        + "E-1001,KZ,2026-02-02,2026-02-05,business_meeting,,\n"
        + "E-1001,KZ,2026-03-05,2026-03-01,business_meeting,,\n",
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Row 4, Exit: Exit 1 Mar 2026 is before entry 5 Mar 2026" in page
    assert "Nothing was imported" in page
    assert Trip.objects.count() == 0


def test_rows_that_overlap_each_other_are_refused(client, hr, traveller):
    response = upload(
        client,
        hr,
        HEADER
        + "E-1001,KZ,2026-03-02,2026-03-11,business_meeting,,\n"
        + "E-1001,KZ,2026-03-05,2026-03-20,business_meeting,,\n",
    )

    assert "Row 3" in response.content.decode()
    assert "Overlaps the trip" in response.content.decode()
    assert Trip.objects.count() == 0


def test_rows_that_overlap_a_saved_trip_are_refused_and_the_saved_trip_stays(client, hr, traveller):
    saved = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)

    response = upload(client, hr, HEADER + "E-1001,KZ,2026-03-05,2026-03-20,tourism,,\n")

    assert "Row 2" in response.content.decode()
    assert list(Trip.objects.all()) == [saved]


def test_an_unknown_country_and_date_are_named_per_row(client, hr, traveller):
    response = upload(
        client,
        hr,
        HEADER + "E-1001,XX,2026-03-02,,tourism,,\nE-1001,KZ,2nd of March,,tourism,,\n",
    )

    page = response.content.decode()
    assert "Row 2, Country:" in page
    assert "Row 3, Entry:" in page
    assert Trip.objects.count() == 0


def test_an_employee_number_of_another_organisation_is_unknown(
    client, hr, traveller, foreign_traveller
):
    number = foreign_traveller.employee_number

    response = upload(client, hr, HEADER + f"{number},KZ,2026-03-02,2026-03-05,tourism,,\n")

    assert f"Row 2: no traveller with employee number {number}." in response.content.decode()
    assert Trip.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_with_the_limit(client, hr, traveller, settings):
    settings.STAYSITE_IMPORT_MAX_BYTES = 200
    rows = "".join(f"E-1001,KZ,2026-0{m}-01,2026-0{m}-02,tourism,,\n" for m in range(1, 10))

    response = upload(client, hr, HEADER + rows)

    page = response.content.decode()
    assert response.status_code == 200
    assert "files of up to 200\xa0bytes can be imported" in page
    assert Trip.objects.count() == 0


def test_a_file_without_the_columns_is_refused(client, hr, traveller):
    response = upload(client, hr, "name,from,to\nTom,2026-03-01,2026-03-02\n")

    assert "missing: employee_number, country, entry, exit" in response.content.decode()


def test_a_binary_file_is_refused(client, hr, traveller):
    response = upload(client, hr, b"\x89PNG\r\n\x1a\n\xff\xfe\x00", name="trips.png")

    assert "not UTF-8 text" in response.content.decode()
    assert Trip.objects.count() == 0


def test_the_upload_is_not_stored_anywhere(client, hr, traveller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path

    upload(client, hr, HEADER + "E-1001,KZ,2026-03-02,2026-03-05,tourism,,\n")

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("persona", ["traveller_user"])
def test_a_traveller_may_not_import_or_export(client, request, persona, traveller):
    user = request.getfixturevalue(persona)

    response = upload(client, user, HEADER + "E-1001,KZ,2026-03-02,2026-03-05,tourism,,\n")

    assert response.status_code == 403
    assert client.get(reverse("trips:trip_export")).status_code == 403
    assert Trip.objects.count() == 0


def test_the_import_needs_the_csrf_token(hr, traveller):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = upload(client, hr, HEADER + "E-1001,KZ,2026-03-02,2026-03-05,tourism,,\n")

    assert response.status_code == 403
    assert Trip.objects.count() == 0


def test_hr_exports_the_organisations_trips_in_the_import_columns(
    client, hr, traveller, foreign_traveller
):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10, host="=HYPERLINK(1)")
    factories.make_trip(traveller=foreign_traveller, entry=date(2026, 3, 2), host="Outsider")
    client.force_login(hr)

    response = client.get(reverse("trips:trip_export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["employee_number", "country", "entry", "exit", "purpose", "host", "address"],
        ["E-1001", "KZ", "2026-03-02", "2026-03-11", "business_meeting", "'=HYPERLINK(1)", ""],
    ]


def test_an_export_imports_again_into_an_empty_organisation(client, hr, traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10, host="Steppe LLP")
    client.force_login(hr)
    exported = client.get(reverse("trips:trip_export")).content
    Trip.objects.all().delete()

    response = upload(client, hr, exported)

    assert response.status_code == 302
    assert Trip.objects.get().host == "Steppe LLP"
