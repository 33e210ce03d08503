"""The files HR departments actually have: a title above the header, Excel's CSV on German
Windows, UTF-16 with tabs, headers in several languages, and columns only the user can name.

Each file is built in the test, as bytes in its encoding or as a workbook, and imported as
HR would: the preview must say what was read, which row was the header, which columns were
left out, and every row's outcome.
"""

from __future__ import annotations

import codecs
import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from trips.files import sources
from trips.models import ImportColumnName, ImportPreview, Traveller, Trip

GERMAN = [
    "Personalnummer",
    "Name",
    "Land",
    "Einreise",
    "Ausreise",
    "Zweck",
    "Gastgeber",
    "Bemerkung",
]
ROWS = [
    ["E-1001", "Schröder", "KZ", "02.03.2026", "11.03.2026", "Geschäftstermin", "Steppe LLP", "ok"],
    ["E-1002", "Sadykova", "Kasachstan", "01.04.2026", "05.04.2026", "Konferenz", "Forum", ""],
]  # fmt: skip
TITLE = "Dienstreisen Kasachstan 2026 – Stand 01.12."


def text_file(lines: list[list[str]], encoding: str, delimiter: str) -> bytes:
    return "".join(delimiter.join(line) + "\r\n" for line in lines).encode(encoding)


def workbook(lines: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, user, content: bytes, name: str = "trips.csv", language: str = "en"):
    client.force_login(user)
    file = SimpleUploadedFile(name, content)
    with translation.override(language):
        url = reverse("trips:trip_import")
    return client.post(url, {"file": file}, headers={"accept-language": language})


def previewed(client, user, content: bytes, name: str = "trips.csv") -> ImportPreview:
    response = upload(client, user, content, name)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportPreview.objects.get(token=response.url.rstrip("/").split("/")[-1])


def outcomes(preview: ImportPreview) -> list[tuple[int, str]]:
    return [(row["line"], row["outcome"]) for row in preview.rows]


@pytest.mark.parametrize(
    ("content", "name", "read", "header_row"),
    [
        pytest.param(
            text_file([[TITLE], GERMAN, *ROWS], "utf-8", ","),
            "trips.csv",
            "UTF-8 text with commas",
            2,
            id="a-title-row",
        ),
        pytest.param(
            text_file([[TITLE], ["Stand: Personalabteilung"], GERMAN, *ROWS], "utf-8", ";"),
            "trips.csv",
            "UTF-8 text with semicolons",
            3,
            id="headers-on-row-3",
        ),
        pytest.param(
            text_file([[TITLE + ";;;;;;;"], GERMAN, *ROWS], "cp1252", ";"),
            "trips.csv",
            "Windows-1252 text with semicolons",
            2,
            id="windows-1252-with-semicolons",
        ),
        pytest.param(
            codecs.BOM_UTF16_LE + text_file([GERMAN, *ROWS], "utf-16-le", "\t"),
            "trips.txt",
            "UTF-16 text with tabs",
            1,
            id="utf-16-with-tabs",
        ),
        pytest.param(
            codecs.BOM_UTF8 + text_file([GERMAN, *ROWS], "utf-8", ";"),
            "trips.csv",
            "UTF-8 (BOM) text with semicolons",
            1,
            id="a-utf-8-bom",
        ),
        pytest.param(
            workbook([[TITLE], [], GERMAN, *ROWS]),
            "trips.xlsx",
            "The first sheet of an Excel workbook",
            3,
            id="a-workbook-with-a-title-row",
        ),
    ],
)
def test_the_files_hr_has_are_read_and_the_preview_says_how(
    client, hr, traveller, other_traveller, content, name, read, header_row
):
    preview = previewed(client, hr, content, name)

    assert outcomes(preview) == [(header_row + 1, "new"), (header_row + 2, "new")]
    page = client.get(preview.get_absolute_url()).content.decode()
    assert f"{read}; row {header_row} was read as the header." in page
    assert "Columns not read: <q>Bemerkung</q>" in page
    assert "Business meeting" in page and "Steppe LLP" in page  # purpose and host per row
    client.post(reverse("trips:import_confirm", args=[preview.token]))
    trip = Trip.objects.get(traveller=traveller)
    assert (trip.country, trip.entry, trip.exit, trip.host) == (
        "KZ",
        date(2026, 3, 2),
        date(2026, 3, 11),
        "Steppe LLP",
    )


def test_a_long_windows_1252_file_is_read_as_windows_1252_not_a_lookalike_code_page():
    """Mac Roman and Windows-1250 read some of these bytes too, into other letters."""
    lines = [[TITLE + ";;;;;;;"], GERMAN]
    lines += [
        [f"I{n:05d}", "", "KZ", "02.03.2026", "08.03.2026", "Geschäftstermin", "Schröder GmbH",
         f"Abay Ave {n % 10}"]
        for n in range(10_000)
    ]  # fmt: skip

    text, encoding = sources.decode(text_file(lines, "cp1252", ";"))

    assert encoding == "Windows-1252"
    assert "Geschäftstermin;Schröder GmbH" in text


def test_headers_in_english_german_and_russian_are_read_in_one_file(client, hr, traveller):
    header = ["Табельный номер", "Country", "Einreise", "Дата выезда", "Цель", "Host"]
    content = text_file(
        [header, ["E-1001", "Казахстан", "02.03.2026", "11.03.2026", "Конференция", "Forum"]],
        "cp1251",
        ";",
    )

    preview = previewed(client, hr, content)

    assert outcomes(preview) == [(2, "new")]
    assert preview.reading["encoding"] == "Windows-1251"
    assert preview.new_trips[0] | {"traveller": None} == {
        "traveller": None,
        "country": "KZ",
        "entry": "2026-03-02",
        "exit": "2026-03-11",
        "purpose": "conference",
        "host": "Forum",
        "address": "",
    }


def test_a_file_in_which_every_row_is_refused_says_why_for_each(client, hr, traveller):
    content = text_file(
        [
            ["employee_number", "country", "entry", "exit"],
            ["E-9999", "KZ", "2026-03-02", ""],
            ["E-1001", "Atlantis", "2026-03-02", ""],
            ["E-1001", "KZ", "02/03/2026", ""],
        ],
        "utf-8",
        ",",
    )

    preview = previewed(client, hr, content)

    assert [(row["outcome"], row["message"]) for row in preview.rows] == [
        ("error", "No traveller with employee number E-9999."),
        ("error", "Unknown country Atlantis."),
        ("error", "Entry 02/03/2026 is not a date; write 2026-03-05 or 05.03.2026."),
    ]
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "Nothing in this file is new: there is nothing to save." in page


def test_a_header_no_row_matches_is_mapped_in_the_preview_and_remembered(client, hr, traveller):
    content = text_file(
        [["Mitarbeiter-ID", "Reiseziel", "Von", "Bis"], ["E-1001", "KZ", "02.03.2026", ""]],
        "utf-8",
        ";",
    )
    preview = previewed(client, hr, content)
    assert preview.rows == []
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "no row names the columns a trip needs." in page
    assert 'name="column-3"' in page

    mapped = {"column-0": "employee_number", "column-1": "country", "column-2": "entry"}
    client.post(
        reverse("trips:import_map", args=[preview.token]),
        {"header_line": "1", **mapped, "column-3": "exit"},
    )

    preview.refresh_from_db()
    assert outcomes(preview) == [(2, "new")]
    assert dict(ImportColumnName.objects.values_list("name", "field")) == {
        "mitarbeiterid": "employee_number",
        "reiseziel": "country",
        "von": "entry",
        "bis": "exit",
    }
    again = previewed(client, hr, content)
    assert outcomes(again) == [(2, "new")]


def test_a_mapping_without_the_fields_a_trip_needs_is_refused_with_their_names(
    client, hr, traveller
):
    content = text_file(
        [["ID", "Ziel", "Von", "Notiz"], ["E-1001", "KZ", "02.03.2026", "x"]], "utf-8", ";"
    )
    preview = previewed(client, hr, content)

    response = client.post(
        reverse("trips:import_map", args=[preview.token]),
        {"header_line": "1", "column-0": "employee_number"},
        follow=True,
    )

    assert "Choose a column for each of: Country, Entry, Exit." in response.content.decode()
    assert ImportColumnName.objects.count() == 0


def test_a_column_left_out_can_be_mapped_and_the_file_is_read_again(client, hr, traveller):
    content = text_file(
        [["employee_number", "country", "entry", "exit", "Einladung durch"],
         ["E-1001", "KZ", "2026-03-02", "2026-03-05", "Steppe LLP"]],
        "utf-8",
        ",",
    )  # fmt: skip
    preview = previewed(client, hr, content)
    assert preview.rows[0]["host"] == ""

    fields = ["employee_number", "country", "entry", "exit", "host"]
    client.post(
        reverse("trips:import_map", args=[preview.token]),
        {"header_line": "1", **{f"column-{i}": field for i, field in enumerate(fields)}},
    )

    preview.refresh_from_db()
    assert preview.rows[0]["host"] == "Steppe LLP"
    assert preview.new_trips[0]["host"] == "Steppe LLP"


def test_a_file_with_fewer_columns_than_a_trip_needs_is_refused_not_mapped(client, hr):
    content = text_file([["Name", "Ziel"], ["Tom", "KZ"]], "utf-8", ";")

    response = upload(client, hr, content)

    assert response.status_code == 200
    assert (
        "The file has fewer columns than it needs: Employee number or email, Country, Entry, "
        "Exit." in response.content.decode()
    )


def test_the_missing_columns_are_named_in_the_readers_language(client, hr, traveller):
    content = text_file(
        [["ID", "Ziel", "Von", "Notiz"], ["E-1001", "KZ", "02.03.2026", "x"]], "utf-8", ";"
    )
    preview = previewed(client, hr, content)

    with translation.override("de"):
        url = reverse("trips:import_map", args=[preview.token])
    response = client.post(
        url, {"header_line": "1"}, follow=True, headers={"accept-language": "de"}
    )

    assert "Personalnummer oder E-Mail, Land, Einreise, Ausreise" in response.content.decode()


NEW_HIRES = text_file(
    [
        ["Personalnummer", "Name", "Staatsangehörigkeit", "E-Mail", "Land", "Einreise", "Ausreise"],
        ["E-1001", "Tom Weber", "DE", "", "KZ", "02.03.2026", "05.03.2026"],
        ["E-2001", "Jana Schröder", "Deutschland", "jana@example.com", "KZ", "02.03.2026", ""],
        ["E-2001", "Jana Schröder", "Deutschland", "jana@example.com", "DE", "01.02.2026",
         "10.02.2026"],
        ["E-2002", "", "", "", "KZ", "02.03.2026", "05.03.2026"],
    ],
    "cp1252",
    ";",
)  # fmt: skip


@pytest.mark.parametrize(
    ("create", "outcome", "why", "created"),
    [
        pytest.param(
            False,
            [(2, "new"), (3, "error"), (4, "error"), (5, "error")],
            [
                "No traveller with employee number E-2001; tick “Create new travellers” to "
                "create one from this row.",
                "No traveller with employee number E-2002.",
            ],
            [],
            id="unknown-travellers-creation-off",
        ),
        pytest.param(
            True,
            [(2, "new"), (3, "new"), (4, "new"), (5, "error")],
            [
                "",
                "No traveller with employee number E-2002; a new one needs a name and a "
                "citizenship.",
            ],
            [("E-2001", "Jana Schröder", "DE", "jana@example.com")],
            id="unknown-travellers-creation-on",
        ),
    ],
)
def test_rows_for_unknown_employees_create_them_only_when_asked(
    client, hr, traveller, create, outcome, why, created
):
    preview = previewed(client, hr, NEW_HIRES)
    if create:
        client.post(reverse("trips:import_map", args=[preview.token]), {"create_travellers": "on"})
        preview.refresh_from_db()

    assert outcomes(preview) == outcome
    page = client.get(preview.get_absolute_url()).content.decode()
    if create:
        assert "Confirming creates 1 traveller:" in page
        assert "Jana Schröder (E-2001, DE)" in page
    assert [preview.rows[2]["message"], preview.rows[3]["message"]] == why
    client.post(reverse("trips:import_confirm", args=[preview.token]))
    newcomers = Traveller.objects.exclude(pk=traveller.pk)
    assert [(t.employee_number, t.name, t.citizenship, t.email) for t in newcomers] == created
    if create:
        jana = newcomers.get()
        assert jana.organisation == hr.organisation and jana.hr_owner == hr
        assert jana.trips.count() == 2
        assert jana.history.get().history_user == hr
        assert jana.snapshot is not None


def test_a_new_traveller_created_meanwhile_saves_nothing(client, hr, traveller, organisation):
    preview = previewed(client, hr, NEW_HIRES)
    client.post(reverse("trips:import_map", args=[preview.token]), {"create_travellers": "on"})
    Traveller.objects.create(
        organisation=organisation, name="Jana S.", employee_number="E-2001", citizenship="DE"
    )

    response = client.post(reverse("trips:import_confirm", args=[preview.token]), follow=True)

    assert "nothing was saved" in response.content.decode()
    assert Trip.objects.count() == 0


# --- Visas ---------------------------------------------------------------------------------

VISA_SHEET = [
    ["Visaliste Personalabteilung"],
    ["Personalnummer", "Ausstellerstaat", "Visumart", "Visumnummer", "Einreisen", "Gültig ab",
     "Gültig bis", "Aufenthaltstage", "Bemerkung"],
    ["E-1001", "KZ", "C3 work visa", "C3-77", "", date(2026, 1, 1), date(2026, 12, 31), "", ""],
    ["E-1001", "Kasachstan", "b2_single", "B2-1", "1", "01.02.2026", "28.02.2026", "30", ""],
    ["E-1001", "KZ", "Zauberstab", "X", "", "01.02.2026", "28.02.2026", "", ""],
    ["E-1001", "KZ", "c3", "C3-9", "", "01.03.2026", "01.02.2026", "", ""],
    ["E-1002", "KZ", "c3", "C3-2", "mehrfach", "01.03.2026", "01.04.2026", "0", ""],
]  # fmt: skip


def test_a_visa_sheet_is_previewed_row_by_row_and_saved_on_confirmation(
    client, hr, traveller, other_traveller
):
    client.force_login(hr)
    response = client.post(
        reverse("trips:visa_import"),
        {"file": SimpleUploadedFile("visas.xlsx", workbook(VISA_SHEET))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = ImportPreview.objects.get()

    assert [(row["line"], row["outcome"], row["message"]) for row in preview.rows] == [
        (3, "new", ""),
        (4, "new", ""),
        (5, "error", "Unknown visa kind Zauberstab."),
        (6, "error", "Valid until 1 Feb 2026 is before valid from 1 Mar 2026"),
        (7, "error", "Days allowed 0 is not a whole number of at least 1."),
    ]
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "Save 2 visas" in page and "C3 work visa" in page

    client.post(reverse("trips:import_confirm", args=[preview.token]))

    saved = traveller.visas.order_by("valid_from")
    assert [
        (v.country, v.kind, v.number, v.entries_allowed, v.valid_from, v.days_allowed)
        for v in saved
    ] == [
        ("KZ", "c3", "C3-77", None, date(2026, 1, 1), None),
        ("KZ", "b2_single", "B2-1", 1, date(2026, 2, 1), 30),
    ]
    again = client.post(
        reverse("trips:visa_import"),
        {"file": SimpleUploadedFile("visas.xlsx", workbook(VISA_SHEET))},
    )
    second = ImportPreview.objects.get(token=again.url.rstrip("/").split("/")[-1])
    assert [row["outcome"] for row in second.rows][:2] == ["present", "present"]


@pytest.mark.parametrize(
    ("language", "first"),
    [("en", "employee_number"), ("de", "Personalnummer"), ("ru", "Табельный номер")],
)
def test_the_visa_template_names_its_columns_in_the_readers_language(client, hr, language, first):
    client.force_login(hr)
    with translation.override(language):
        url = reverse("trips:visa_template")
    response = client.get(f"{url}?format=csv", headers={"accept-language": language})

    assert re.split("[,;]", response.content.decode("utf-8-sig").splitlines()[0])[0] == first


# --- A roster of travellers ----------------------------------------------------------------


def test_a_roster_creates_the_travellers_it_names_and_skips_those_staysite_has(
    client, hr, traveller
):
    roster = text_file(
        [
            ["Mitarbeiterliste Stand Dezember"],
            ["Personalnummer", "Name", "Staatsangehörigkeit", "E-Mail"],
            ["E-1001", "Tom Weber", "DE", ""],
            ["E-3001", "Jürgen Groß", "Deutschland", "juergen@example.com"],
            ["E-3002", "Айгуль Серикова", "KZ", ""],
            ["E-3003", "", "KZ", ""],
        ],
        "utf-8",
        ";",
    )
    client.force_login(hr)
    response = client.post(
        reverse("trips:roster_import"), {"file": SimpleUploadedFile("roster.csv", roster)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = ImportPreview.objects.get()

    assert [(row["line"], row["outcome"]) for row in preview.rows] == [
        (3, "present"),
        (4, "new"),
        (5, "new"),
        (6, "error"),
    ]
    assert "Create 2 travellers" in client.get(preview.get_absolute_url()).content.decode()

    client.post(reverse("trips:import_confirm", args=[preview.token]))

    assert sorted(
        Traveller.objects.exclude(pk=traveller.pk).values_list(
            "employee_number", "name", "citizenship", "hr_owner"
        )
    ) == [
        ("E-3001", "Jürgen Groß", "DE", hr.pk),
        ("E-3002", "Айгуль Серикова", "KZ", hr.pk),
    ]


# --- The round trip: export, edit two cells, import ----------------------------------------


def edited_export(client, fmt: str) -> bytes:
    """The trips export with two cells edited, as HR would in Excel: a host and an exit."""
    exported = client.get(reverse("trips:trip_export") + f"?format={fmt}").content
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(exported))
        sheet = book.active
        sheet["G2"] = "Steppe LLP"  # the first trip's host
        sheet["E3"] = date(2026, 4, 9)  # the second trip's exit
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    lines = exported.decode("utf-8-sig").splitlines()
    delimiter = ";" if ";" in lines[0] else ","
    cells = [line.split(delimiter) for line in lines]
    cells[1][6] = "Steppe LLP"
    cells[2][4] = "2026-04-09"
    return ("\r\n".join(delimiter.join(row) for row in cells) + "\r\n").encode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["en", "de"])
def test_an_export_edited_in_two_cells_imports_as_exactly_those_edits(
    client, hr, traveller, language, fmt
):
    from tests import factories

    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    factories.make_trip(traveller=traveller, entry=date(2026, 4, 1), days=5, country="DE")
    factories.make_trip(traveller=traveller, entry=date(2026, 5, 1), days=5)
    client.force_login(hr)
    client.cookies["django_language"] = language
    content = edited_export(client, fmt)
    if fmt == "csv":
        header = content.decode("utf-8-sig").splitlines()[0]
        assert header.startswith(
            "Personalnummer;E-Mail;Land" if language == "de" else "employee_number,"
        )

    response = client.post(
        reverse("trips:trip_import"), {"file": SimpleUploadedFile(f"trips.{fmt}", content)}
    )
    preview = ImportPreview.objects.get(token=response.url.rstrip("/").split("/")[-1])

    assert [row["outcome"] for row in preview.rows] == ["changed", "changed", "present"]
    client.post(reverse("trips:import_confirm", args=[preview.token]))
    assert list(Trip.objects.order_by("entry").values_list("entry", "exit", "host")) == [
        (date(2026, 3, 2), date(2026, 3, 11), "Steppe LLP"),
        (date(2026, 4, 1), date(2026, 4, 9), ""),
        (date(2026, 5, 1), date(2026, 5, 5), ""),
    ]
