"""HR imports trips from CSV and Excel files: a preview of every row first, then one save."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import Purpose
from trips.models import ImportPreview, StatusSnapshot, Trip

ENGLISH = ["employee_number", "email", "country", "entry", "exit", "purpose", "host", "address"]
GERMAN = [
    "Personalnummer",
    "E-Mail",
    "Land",
    "Einreise",
    "Ausreise",
    "Zweck",
    "Gastgeber",
    "Adresse",
]


def csv_file(header: list[str], rows: list[list], delimiter: str = ",") -> bytes:
    lines = [header, *rows]
    text = "".join(delimiter.join(str(v) for v in line) + "\r\n" for line in lines)
    return text.encode("utf-8-sig")


def xlsx_file(header: list[str], rows: list[list]) -> bytes:
    """A workbook as Excel writes one: dates as date cells, "=..." as formula cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, user, content: bytes, name: str = "trips.csv", **headers):
    client.force_login(user)
    return client.post(
        reverse("trips:trip_import"), {"file": SimpleUploadedFile(name, content)}, headers=headers
    )


def previewed(client, user, content: bytes, name: str = "trips.csv") -> ImportPreview:
    response = upload(client, user, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportPreview.objects.get(token=response.url.rstrip("/").split("/")[-1])


def outcomes(preview: ImportPreview) -> dict[int, tuple[str, str]]:
    return {row["line"]: (row["outcome"], row["message"]) for row in preview.rows}


def confirm(client, preview: ImportPreview):
    return client.post(reverse("trips:import_confirm", args=[preview.token]))


def saved_trips():
    trips = Trip.objects.order_by("traveller__employee_number", "entry")
    return [(t.traveller.employee_number, t.country, t.entry, t.exit) for t in trips]


# --- Good files ----------------------------------------------------------------------------


def test_an_english_csv_is_previewed_and_saved_only_when_confirmed(
    client, hr, traveller, other_traveller
):
    content = csv_file(
        ENGLISH,
        [
            ["E-1001", "", "KZ", "2026-03-02", "2026-03-11", "business_meeting", "Steppe LLP", ""],
            ["E-1001", "", "DE", "2026-04-01", "2026-04-05", "Conference", "", ""],
            ["E-1002", "", "Kazakhstan", "2026-02-01", "2026-02-20", "montage", "Plant", "Site 4"],
        ],
    )

    preview = previewed(client, hr, content)

    assert Trip.objects.count() == 0
    assert [o for o, _m in outcomes(preview).values()] == ["new", "new", "new"]
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "Save 3 trips" in page
    assert "Tom Weber" in page

    response = confirm(client, preview)

    assert response.status_code == 302
    assert saved_trips() == [
        ("E-1001", "KZ", date(2026, 3, 2), date(2026, 3, 11)),
        ("E-1001", "DE", date(2026, 4, 1), date(2026, 4, 5)),
        ("E-1002", "KZ", date(2026, 2, 1), date(2026, 2, 20)),
    ]
    assert Trip.objects.get(country="DE").purpose == Purpose.CONFERENCE
    assert StatusSnapshot.objects.filter(traveller__in=[traveller, other_traveller]).count() == 2
    history = Trip.history.filter(history_type="+")
    assert history.count() == 3
    assert {h.history_user for h in history} == {hr}
    assert "Imported 3 trips." in client.get(response.url).content.decode()


def test_a_german_workbook_with_date_cells_and_emails_reads_like_the_english_csv(
    client, hr, traveller, other_traveller
):
    content = xlsx_file(
        GERMAN,
        [
            ["", traveller.email.upper(), "KZ", date(2026, 3, 2), date(2026, 3, 11), "", "", ""],
            [None, traveller.email, "Deutschland", "01.04.2026", "05.04.2026", "Konferenz", "", ""],
            [1002.0, None, "kz", date(2026, 2, 1), None, "Montage / Installation", "", ""],
        ],
    )
    other_traveller.employee_number = "1002"
    other_traveller.save()

    preview = previewed(client, hr, content, "Reisen.xlsx")
    confirm(client, preview)

    assert saved_trips() == [
        ("1002", "KZ", date(2026, 2, 1), None),
        ("E-1001", "KZ", date(2026, 3, 2), date(2026, 3, 11)),
        ("E-1001", "DE", date(2026, 4, 1), date(2026, 4, 5)),
    ]
    assert Trip.objects.get(country="DE").purpose == Purpose.CONFERENCE
    assert Trip.objects.get(traveller=other_traveller).purpose == Purpose.MONTAGE


def test_a_german_csv_with_semicolons_and_german_dates_is_read(client, hr, traveller):
    content = csv_file(
        GERMAN, [["E-1001", "", "KZ", "02.03.2026", "11.03.2026", "", "ТОО Степь", ""]], ";"
    )

    preview = previewed(client, hr, content)
    confirm(client, preview)

    assert Trip.objects.get().host == "ТОО Степь"


# --- Bad rows ------------------------------------------------------------------------------


def row(who: str, country: str, entry: str, exit: str = "", purpose: str = "", host: str = ""):
    """A row of the test files; `who` is an employee number, or an email if it has an @."""
    number, email = ("", who) if "@" in who else (who, "")
    return [number, email, country, entry, exit, purpose, host, ""]


BAD_ROWS = [
    # (row, message in the preview); the first row of each file is the header.
    (row("E-1001", "KZ", "2026-01-02", "2026-01-05"), None),
    (row("E-9999", "KZ", "2026-01-10", "2026-01-12"), "No traveller with employee"),
    (row("nobody@example.com", "KZ", "2026-01-10", "2026-01-12"), "No traveller with email"),
    (row("E-1001", "KZ", "2nd of March"), "Entry 2nd of March is not a date"),
    (row("E-1001", "KZ", "2026-02-30", "2026-03-02"), "Entry 2026-02-30 is not a date"),
    (row("E-1001", "KZ", "2026-03-05", "2026-03-01"), "Exit 1 Mar 2026 is before entry 5 Mar"),
    (row("E-1001", "Atlantis", "2026-04-01", "2026-04-02"), "Unknown country Atlantis"),
    (row("E-1001", "KZ", "2026-05-01", "2026-05-02", "sightseeing"), "Unknown purpose"),
    (row("E-1001", "KZ", "2026-06-01", "2026-06-10"), "Overlaps row 11 of the file"),
    (row("E-1001", "DE", "2026-06-05", "2026-06-12"), "Overlaps row 10 of the file"),
    (row("E-1001", "KZ", "2026-07-05", "2026-07-20"), "Overlaps the trip"),
    (row("E-1001", "KZ", "2099-01-01"), "A planned trip needs an exit date"),
    (row("E-1001", "KZ", "2026-01-02", "2026-01-05"), "Same as row 2; skipped."),
    (row("E-1002", "KZ", "2026-07-01", "2026-07-10"), "Already saved; skipped."),
    (
        row("E-1001", "KZ", "2026-08-01", "2026-08-03", host='=HYPERLINK("x")'),
        "Host holds a formula",
    ),
    (row("E-1002", "KZ", "2026-08-01", "2026-08-03"), None),
]


@pytest.mark.parametrize(
    ("header", "make", "name"),
    [
        pytest.param(ENGLISH, csv_file, "trips.csv", id="english-csv"),
        pytest.param(GERMAN, xlsx_file, "trips.xlsx", id="german-xlsx"),
        pytest.param(GERMAN, csv_file, "reisen.csv", id="german-csv"),
        pytest.param(ENGLISH, xlsx_file, "trips.xlsx", id="english-xlsx"),
    ],
)
def test_every_bad_row_is_named_and_only_the_good_rows_are_saved(
    client, hr, traveller, other_traveller, header, make, name
):
    factories.make_trip(traveller=traveller, entry=date(2026, 7, 1), days=10)
    factories.make_trip(traveller=other_traveller, entry=date(2026, 7, 1), days=10)
    before = saved_trips()

    preview = previewed(client, hr, make(header, [row for row, _message in BAD_ROWS]), name)

    found = outcomes(preview)
    assert saved_trips() == before
    for line, (_row, message) in enumerate(BAD_ROWS, start=2):
        outcome, text = found[line]
        if message is None:
            assert outcome == "new", (line, text)
        else:
            assert message in text, (line, text)
            assert outcome == ("present" if "skipped" in message else "error"), (line, text)
    page = client.get(preview.get_absolute_url() + "?show=error").content.decode()
    assert "Unknown country Atlantis" in page
    # A refused row still says whose it is, where the file names someone known.
    assert [r["name"] for r in preview.rows if r["line"] in (3, 5)] == ["", "Tom Weber"]
    assert "Save 2 trips" in page

    confirm(client, preview)

    assert saved_trips() == sorted(
        [
            *before,
            ("E-1001", "KZ", date(2026, 1, 2), date(2026, 1, 5)),
            ("E-1002", "KZ", date(2026, 8, 1), date(2026, 8, 3)),
        ],
        key=lambda t: (t[0], t[2]),
    )


def test_a_formula_cell_in_a_workbook_is_refused_not_computed(client, hr, traveller):
    content = xlsx_file(ENGLISH, [["E-1001", "", "KZ", "=DATE(2026,3,2)", "", "", "", ""]])

    preview = previewed(client, hr, content, "trips.xlsx")

    assert outcomes(preview)[2] == ("error", "Entry holds a formula; enter its value instead.")


def test_the_second_import_of_the_same_file_adds_nothing(client, hr, traveller):
    content = csv_file(ENGLISH, [["E-1001", "", "KZ", "2026-03-02", "2026-03-11", "", "", ""]])
    confirm(client, previewed(client, hr, content))

    again = previewed(client, hr, content)

    assert outcomes(again) == {2: ("present", "Already saved; skipped.")}
    page = client.get(again.get_absolute_url()).content.decode()
    assert "Nothing in this file is new" in page
    assert Trip.objects.count() == 1


def test_a_change_to_the_trips_after_the_preview_saves_nothing(client, hr, traveller):
    content = csv_file(
        ENGLISH,
        [
            ["E-1001", "", "KZ", "2026-03-02", "2026-03-11", "", "", ""],
            ["E-1001", "", "DE", "2026-04-01", "2026-04-05", "", "", ""],
        ],
    )
    preview = previewed(client, hr, content)
    factories.make_trip(traveller=traveller, entry=date(2026, 5, 1), days=3)

    response = confirm(client, preview)

    assert Trip.objects.count() == 1
    page = client.get(response.url).content.decode()
    assert "The trips changed since the preview; nothing was saved." in page


def test_a_preview_is_confirmed_once(client, hr, traveller):
    content = csv_file(ENGLISH, [["E-1001", "", "KZ", "2026-03-02", "2026-03-11", "", "", ""]])
    preview = previewed(client, hr, content)
    confirm(client, preview)

    response = confirm(client, preview)

    assert Trip.objects.count() == 1
    assert "This file was imported already." in client.get(response.url).content.decode()


def test_the_preview_says_who_would_go_over_a_limit(client, hr, traveller, other_traveller):
    today = timezone.localdate()
    entry = today - timedelta(days=60)
    content = csv_file(
        ENGLISH,
        [
            # 41 days in Kazakhstan in one stay: over the 30-day visa-free stay.
            ["E-1001", "", "KZ", entry.isoformat(), (entry + timedelta(days=40)).isoformat()],
            ["E-1002", "", "TR", entry.isoformat(), (entry + timedelta(days=3)).isoformat()],
        ],
    )

    preview = previewed(client, hr, content)

    assert [(c["name"], c["before"], c["after"]) for c in preview.changes] == [
        ("Tom Weber", "ok", "overstay")
    ]
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "How the statuses would change" in page
    assert "Overstay of 11 days" in page
    assert Trip.objects.count() == 0


def test_confirming_refreshes_the_snapshots_and_then_the_alerts(
    client, hr, traveller, django_capture_on_commit_callbacks
):
    entry = timezone.localdate() - timedelta(days=60)
    exit = entry + timedelta(days=40)
    content = csv_file(ENGLISH, [["E-1001", "", "KZ", entry.isoformat(), exit.isoformat()]])
    preview = previewed(client, hr, content)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, preview)

    assert StatusSnapshot.objects.get(traveller=traveller).status == "overstay"
    assert "overstay_sanction" in {alert.kind for alert in traveller.alerts.all()}


def test_an_employee_of_another_organisation_is_unknown(client, hr, traveller, foreign_traveller):
    number = foreign_traveller.employee_number
    content = csv_file(ENGLISH, [[number, "", "KZ", "2026-03-02", "2026-03-05", "", "", ""]])

    preview = previewed(client, hr, content)

    assert outcomes(preview)[2] == ("error", f"No traveller with employee number {number}.")


# --- Files refused as a whole --------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
NO_COLUMNS = b"name,from,to\nTom,2026-03-01,\n"
HUGE_CELL = b'employee_number,country,entry,exit\n"' + b"x" * 200_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "file is empty.", id="empty"),
        pytest.param(b"\r\n \r\n", "The file is empty.", id="blank"),
        pytest.param(PNG, "not a CSV or Excel file", id="png"),
        pytest.param(csv_file(ENGLISH, []), "The file has no trips in it.", id="header-only"),
        pytest.param(XLS, "old Excel file (.xls)", id="xls"),
        pytest.param(b"PK\x03\x04 no workbook", "cannot be read as an Excel workbook", id="zip"),
        pytest.param(HUGE_CELL, "Row 2 cannot be read", id="broken-csv"),
    ],
)
def test_a_file_that_is_no_trip_list_is_refused_with_the_reason(
    client, hr, traveller, content, message
):
    response = upload(client, hr, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportPreview.objects.count() == 0
    assert Trip.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_with_the_limit(client, hr, traveller, settings):
    settings.STAYSITE_IMPORT_MAX_BYTES = 200
    rows = [["E-1001", "", "KZ", f"2026-0{m}-01", f"2026-0{m}-02"] for m in range(1, 10)]

    response = upload(client, hr, csv_file(ENGLISH, rows))

    assert response.status_code == 200
    assert "files of up to 200\xa0bytes can be imported" in response.content.decode()


def test_a_million_rows_are_refused_without_reading_them_all(client, hr, traveller, settings):
    settings.STAYSITE_IMPORT_MAX_BYTES = 64 * 1024 * 1024
    content = b"employee_number,country,entry,exit\n" + b"E-1001,KZ,2026-03-02,\n" * 1_000_000

    response = upload(client, hr, content)

    assert response.status_code == 200
    assert "more than 10000 rows" in response.content.decode()
    assert ImportPreview.objects.count() == 0


def test_a_workbook_over_the_row_limit_is_refused(client, hr, traveller, settings):
    settings.STAYSITE_IMPORT_MAX_ROWS = 5
    rows = [["E-1001", "", "KZ", date(2026, 1, d), date(2026, 1, d)] for d in range(1, 8)]

    response = upload(client, hr, xlsx_file(ENGLISH, rows), "trips.xlsx")

    assert "more than 5 rows" in response.content.decode()


def test_an_htmx_upload_answers_with_the_form_or_a_redirect(client, hr, traveller):
    bad = upload(client, hr, b"", HX_Request="true")
    good = upload(
        client,
        hr,
        csv_file(ENGLISH, [["E-1001", "", "KZ", "2026-03-02", "2026-03-11"]]),
        HX_Request="true",
    )

    assert "file is empty." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    assert good["HX-Redirect"].startswith("/trips/import/")


def test_the_upload_is_not_stored_anywhere(client, hr, traveller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path

    upload(client, hr, csv_file(ENGLISH, [["E-1001", "", "KZ", "2026-03-02", "2026-03-05"]]))

    assert list(tmp_path.iterdir()) == []


# --- Who may ------------------------------------------------------------------------------


def test_a_traveller_may_not_import_and_nobody_sees_another_users_preview(
    client, hr, compliance, traveller_user, traveller
):
    content = csv_file(ENGLISH, [["E-1001", "", "KZ", "2026-03-02", "2026-03-05"]])
    preview = previewed(client, hr, content)

    assert upload(Client(), traveller_user, content).status_code == 403
    colleague = Client()
    colleague.force_login(compliance)
    assert colleague.get(preview.get_absolute_url()).status_code == 404
    assert confirm(colleague, preview).status_code == 404
    assert Trip.objects.count() == 0


def test_the_import_needs_the_csrf_token(hr, traveller):
    client = Client(enforce_csrf_checks=True)

    response = upload(client, hr, csv_file(ENGLISH, [["E-1001", "", "KZ", "2026-03-02", ""]]))

    assert response.status_code == 403
    assert ImportPreview.objects.count() == 0


# --- Templates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "header", "delimiter"),
    [
        pytest.param("en", ENGLISH, ",", id="english"),
        pytest.param("de", GERMAN, ";", id="german-with-semicolons"),
    ],
)
def test_the_templates_name_the_columns_in_the_readers_language(
    client, hr, language, header, delimiter
):
    client.force_login(hr)
    client.cookies["django_language"] = language

    xlsx = client.get(reverse("trips:import_template") + "?format=xlsx")
    csv = client.get(reverse("trips:import_template") + "?format=csv")

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == header
    assert sheet["D2"].value.date() == date(2026, 3, 2)
    assert csv.content.decode("utf-8-sig").splitlines()[0] == delimiter.join(header)


def test_a_filled_in_template_imports(client, hr, traveller):
    client.force_login(hr)
    template = client.get(reverse("trips:import_template") + "?format=xlsx").content

    preview = previewed(client, hr, template, "template.xlsx")

    assert outcomes(preview) == {2: ("new", "")}
