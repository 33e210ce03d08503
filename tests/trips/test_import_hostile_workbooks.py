"""Workbooks made to hurt the server: each is refused with a reason, quickly, and nothing is saved.

A workbook is a zip of XML files that may claim anything; these are written by hand, part by
part, as an attacker would.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trips.files import sources
from trips.models import ImportPreview, Trip

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
{strings_type}
</Types>"""
STRINGS_TYPE = """<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Trips" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
{strings_rel}
</Relationships>"""
STRINGS_REL = """<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>{doctype}
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"""


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = (
    '<row r="1">'
    + "".join(
        inline(f"{column}1", name)
        for column, name in zip(
            "ABCD", ["employee_number", "country", "entry", "exit"], strict=True
        )
    )
    + "</row>"
)
TRIP_ROW = (
    '<row r="2">'
    + inline("A2", "E-1001")
    + inline("B2", "KZ")
    + inline("C2", "2026-03-02")
    + inline("D2", "2026-03-05")
    + "</row>"
)


def workbook(rows: str, dimension: str = "A1:D2", strings: str = "", doctype: str = "") -> bytes:
    """A workbook of one sheet whose XML holds `rows` and claims `dimension`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(strings_type=STRINGS_TYPE if strings else ""),
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(strings_rel=STRINGS_REL if strings else ""),
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            SHEET.format(doctype=doctype, dimension=dimension, rows=rows),
        )
        if strings:
            archive.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def upload(client, user, content: bytes):
    client.force_login(user)
    file = SimpleUploadedFile("trips.xlsx", content)
    return client.post(reverse("trips:trip_import"), {"file": file})


def test_the_hand_made_workbook_of_these_tests_imports_when_it_is_harmless(client, hr, traveller):
    response = upload(client, hr, workbook(HEADER_ROW + TRIP_ROW))

    assert response.status_code == 302
    assert ImportPreview.objects.get().rows[0]["outcome"] == "new"


def test_a_workbook_claiming_every_cell_of_excel_with_one_cell_at_the_bottom_is_refused(
    client, hr, traveller
):
    """1.5 KB that took 44 minutes to read: rows padded to 16,384 cells, empty rows free."""
    last = f'<row r="1048576">{inline("A1048576", "E-1001")}</row>'
    content = workbook(HEADER_ROW + TRIP_ROW + last, dimension="A1:XFD1048576")
    assert len(content) < 2000

    response = upload(client, hr, content)

    assert response.status_code == 200
    assert "more than 10000 rows" in response.content.decode()
    assert ImportPreview.objects.count() == 0


def test_empty_rows_count_against_the_row_limit(client, hr, traveller, settings):
    settings.STAYSITE_IMPORT_MAX_ROWS = 5
    far = f'<row r="1000">{inline("A1000", "E-1001")}</row>'

    response = upload(client, hr, workbook(HEADER_ROW + TRIP_ROW + far, dimension="A1:XFD1000"))

    assert "more than 5 rows" in response.content.decode()


def test_only_the_columns_a_trip_list_can_have_are_read(client, hr, traveller):
    far_right = inline("XFD2", "far to the right")
    rows = HEADER_ROW + TRIP_ROW.replace("</row>", far_right + "</row>")

    lines = list(sources.xlsx_lines(workbook(rows, dimension="A1:XFD2"), deadline=1e12).lines)

    assert [len(cells) for _line, cells, _formulas in lines] == [sources.MAX_COLUMNS] * 2


def test_a_row_wider_than_excel_allows_is_refused(client, hr, traveller):
    wide = '<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>"

    response = upload(client, hr, workbook(HEADER_ROW + wide))

    assert "a row wider than Excel allows" in response.content.decode()


def test_shared_strings_that_unpack_to_megabytes_are_refused_unread(client, hr, traveller):
    """241 KB unpacking to 98 MB of text took 101 s and 630 MB; the text has a small cap."""
    text = "x" * 1000
    count = 20_000
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}">'
        + f"<si><t>{text}</t></si>" * count
        + "</sst>"
    )
    content = workbook(HEADER_ROW + TRIP_ROW, strings=strings)
    assert len(content) < 250_000 < 20_000_000 < len(strings)

    response = upload(client, hr, content)

    assert "holds too much text for a trip list" in response.content.decode()
    assert ImportPreview.objects.count() == 0


def test_an_entity_in_the_sheet_is_refused_not_expanded(client, hr, traveller):
    doctype = '<!DOCTYPE worksheet [<!ENTITY who "E-1001">]>'
    rows = HEADER_ROW + TRIP_ROW.replace(">E-1001<", ">&who;<")

    response = upload(client, hr, workbook(rows, doctype=doctype))

    assert "cannot be read as an Excel workbook" in response.content.decode()
    assert ImportPreview.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: workbook(HEADER_ROW + TRIP_ROW), id="a-workbook"),
        pytest.param(lambda: b"employee_number,country,entry\nE-1001,KZ,2026-03-02\n", id="a-csv"),
    ],
)
def test_reading_stops_with_a_refusal_when_it_takes_longer_than_its_budget(
    client, hr, traveller, monkeypatch, content
):
    monkeypatch.setattr(sources, "READ_SECONDS", -1)

    response = upload(client, hr, content())

    assert "The file took too long to read" in response.content.decode()
    assert Trip.objects.count() == 0
