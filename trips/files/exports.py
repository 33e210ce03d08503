"""Tables out as CSV and Excel (.xlsx): the trips, the dashboard, the import templates.

A table is a header and rows of values (text, numbers, dates). Both formats neutralise text a
spreadsheet would run as a formula (CSV injection): CSV with a leading apostrophe, .xlsx by
storing it as text. Dates stay dates in .xlsx, so they sort and filter as dates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from trips.files.imports import TEMPLATE_EXAMPLE, template_header
from trips.models import Traveller, Trip

# A spreadsheet would run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list]


def trips_table(travellers: QuerySet[Traveller]) -> Table:
    """The trips of `travellers`, in the columns the import reads (so an export imports again)."""
    trips = (
        Trip.objects.filter(traveller__in=travellers)
        .select_related("traveller")
        .order_by("traveller__employee_number", "entry", "pk")
    )
    rows = [
        [
            trip.traveller.employee_number,
            trip.traveller.email,
            trip.country,
            trip.entry,
            trip.exit,
            trip.purpose,
            trip.host,
            trip.address,
        ]
        for trip in trips
    ]
    # The import template's header in the reader's language: an export edited imports again.
    return Table(_("Trips"), template_header(), rows)


def template_table() -> Table:
    """The import template: the first row, and one example trip to overwrite."""
    return Table(_("Trips"), template_header(), [list(TEMPLATE_EXAMPLE)])


def visa_template_table() -> Table:
    """The visa import's template: the first row in the reader's language, and an example."""
    from trips.files import visa_import

    header = visa_import.template_header(translation.get_language() or "")
    return Table(_("Visas"), header, [list(visa_import.TEMPLATE_EXAMPLE)])


def roster_template_table() -> Table:
    """The roster import's template: travellers only, in the reader's language."""
    from trips.files import roster_import

    header = roster_import.template_header(translation.get_language() or "")
    return Table(_("Travellers"), header, [list(roster_import.TEMPLATE_EXAMPLE)])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def neutral(text: str) -> str:
    """Text a spreadsheet shows as it is: a would-be formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def delimiter() -> str:
    """The CSV delimiter of the reader's locale: a semicolon where the comma is the decimal
    sign (German, Russian), as Excel there expects."""
    return ";" if (translation.get_language() or "")[:2] in {"de", "ru"} else ","


def as_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads umlauts and Cyrillic right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter())
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(
            [value if isinstance(value, int) else neutral(_text(value)) for value in row]
        )
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(table: Table) -> bytes:
    """A workbook of one sheet: bold header row kept in view, dates as dates, fitted columns."""
    from openpyxl import Workbook  # only exports write spreadsheets
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    widths = [len(name) for name in table.header]
    for row in table.rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], 10 if isinstance(value, date) else len(_text(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    cell = WriteOnlyCell(sheet, value=str(value))
    # Text, always: openpyxl would store "=..." as a formula.
    cell.data_type = "s"
    return cell
