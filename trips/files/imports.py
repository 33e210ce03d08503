"""Reading HR's trip files: CSV or Excel (.xlsx), headers in English or German.

An uploaded file is read in memory (ImportUploadHandler stops reading past the size limit),
parsed as data and never stored nor executed: a formula cell is refused, not computed. This
module turns a file into rows of typed values, each with the reasons it cannot be read;
trips/files/import_preview.py checks the rows against the database.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trips.choices import Purpose
from trips.countries import COUNTRIES
from trips.forms import within_years

COLUMNS = ["employee_number", "email", "country", "entry", "exit", "purpose", "host", "address"]
REQUIRED = ["country", "entry", "exit"]
# The names a column may have in the first row, besides its own; compared without case,
# spaces or punctuation, so "Employee number", "employee_number" and "Personal-Nr." all match.
ALIASES = {
    "employee_number": ["employee number", "employee no", "personnel number", "Personalnummer",
                        "Personal-Nr.", "Mitarbeiternummer"],
    "email": ["e-mail", "email address", "E-Mail-Adresse"],
    "country": ["country code", "Land", "Staat", "Zielland"],
    "entry": ["entry date", "Einreise", "Einreisedatum"],
    "exit": ["exit date", "Ausreise", "Ausreisedatum"],
    "purpose": ["Zweck", "Reisezweck"],
    "host": ["host / inviting party", "inviting party", "Gastgeber", "Einladende Stelle"],
    "address": ["address in the country", "Adresse", "Anschrift"],
}  # fmt: skip
# The first row of the German template.
GERMAN_HEADERS = {
    "employee_number": "Personalnummer",
    "email": "E-Mail",
    "country": "Land",
    "entry": "Einreise",
    "exit": "Ausreise",
    "purpose": "Zweck",
    "host": "Gastgeber",
    "address": "Adresse",
}
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# A workbook unpacks to far more than its size; more than this many times is a zip bomb.
XLSX_UNPACK_FACTOR = 50
MAX_CELL_LENGTH = 300
# staysite's CSV exports write text a spreadsheet would run as a formula with a leading
# apostrophe (trips/files/exports.py), which reading removes again.
ESCAPED_STARTS = ("'=", "'+", "'-", "'@")
DATE_PATTERNS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (0, 1, 2)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (2, 1, 0)),
]


class ImportUploadHandler(FileUploadHandler):
    """Keeps an uploaded file in memory and stops keeping it past STAYSITE_IMPORT_MAX_BYTES.

    The file's real size still reaches the form, which refuses it with a clear message;
    nothing of it is written to disk.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) <= settings.STAYSITE_IMPORT_MAX_BYTES:
            self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class FileRefused(ValueError):
    """The file as a whole cannot be read as a trip list; the message says why."""


@dataclass
class Row:
    """One line of the file: its values as read, and why any of them cannot be used."""

    line: int
    employee_number: str = ""
    email: str = ""
    country: str = ""
    entry: date | None = None
    exit: date | None = None
    purpose: str = Purpose.BUSINESS_MEETING
    host: str = ""
    address: str = ""
    given: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def employee(self) -> str:
        """Who the row is about, as the file says it."""
        return self.employee_number or self.email


def check_size(size: int) -> None:
    limit = settings.STAYSITE_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s; files of up to %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_rows(content: bytes) -> list[Row]:
    """The trips of a CSV or .xlsx file, one Row per non-empty line. Raises FileRefused."""
    check_size(len(content))
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    if content.startswith(XLSX_MAGIC):
        lines = _xlsx_lines(content)
    elif content.startswith(XLS_MAGIC):
        raise FileRefused(
            _("This is an old Excel file (.xls); save it as an Excel workbook (.xlsx) or CSV.")
        )
    elif b"\x00" in content[:4096]:
        raise FileRefused(_("This is not a CSV or Excel file; save it as .xlsx or CSV (UTF-8)."))
    else:
        lines = _csv_lines(content)
    rows = _rows(lines)
    if not rows:
        raise FileRefused(_("The file has no trips in it."))
    return rows


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)d rows; split it into files of at most %(limit)d.")
        % {"limit": settings.STAYSITE_IMPORT_MAX_ROWS}
    )


def _csv_lines(content: bytes):
    """(line number, cells, formula cells) of a CSV file; the header first."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text; save it as CSV (UTF-8) or as an Excel workbook.")
        ) from None
    if "\x00" in text:
        # Text files hold no NUL characters; a database cannot store them either.
        raise FileRefused(_("The file is not text; save it as CSV (UTF-8)."))
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        # German spreadsheets separate CSV columns with semicolons.
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    try:
        for cells in reader:
            # Text a spreadsheet would run as a formula: refused like a formula cell.
            formulas = {i for i, cell in enumerate(cells) if cell.strip().startswith("=")}
            yield reader.line_num, cells, formulas
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)d cannot be read: %(error)s") % {"row": reader.line_num, "error": error}
        ) from None


def _xlsx_lines(content: bytes):
    """(row number, cells, formula cells) of the first sheet of a workbook; the header first."""
    from openpyxl import load_workbook  # only imports are spreadsheets read

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    if unpacked > XLSX_UNPACK_FACTOR * settings.STAYSITE_IMPORT_MAX_BYTES:
        raise FileRefused(_("The workbook unpacks to too much data; save it as CSV instead."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error for a damaged workbook
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values, formulas = [], set()
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    formulas.add(index)
                values.append(cell.value)
            yield number, values, formulas
    except FileRefused:
        raise
    except Exception:  # a damaged sheet shows only while it is read
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def _normal(name) -> str:
    return re.sub(r"[\W_]+", "", str(name or "").casefold())


HEADER_LOOKUP = {
    _normal(name): column
    for column in COLUMNS
    for name in [column, GERMAN_HEADERS[column], *ALIASES[column]]
}


def _header(cells) -> dict[int, str]:
    """Which column each cell of the first row names; refuses a file without the columns."""
    found = {}
    for index, cell in enumerate(cells):
        column = HEADER_LOOKUP.get(_normal(cell))
        if column is not None and column not in found.values():
            found[index] = column
    missing = [column for column in REQUIRED if column not in found.values()]
    if not {"employee_number", "email"} & set(found.values()):
        missing.insert(0, "employee_number / email")
    if missing:
        raise FileRefused(
            _("The first row must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )
    return found


def _rows(lines) -> list[Row]:
    rows: list[Row] = []
    header = None
    for line, cells, formulas in lines:
        if header is None:
            if any(_text(cell) for cell in cells):
                header = _header(cells)
            continue
        if not any(_text(cells[i]) for i in header if i < len(cells)):
            continue
        if len(rows) >= settings.STAYSITE_IMPORT_MAX_ROWS:
            raise _too_many_rows()
        values = {column: cells[i] if i < len(cells) else None for i, column in header.items()}
        rows.append(parse_row(line, values, {header[i] for i in formulas if i in header}))
    if header is None:
        raise FileRefused(_("The file is empty."))
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an employee number typed into a number cell
    return str(value).strip()


def parse_row(line: int, values: dict[str, object], formulas: set[str]) -> Row:
    """One line's values, typed; every value that cannot be used adds an error in words."""
    row = Row(line=line, given={column: _text(value) for column, value in values.items()})
    for column in sorted(formulas, key=COLUMNS.index):
        row.errors.append(
            _("%(column)s holds a formula; enter its value instead.")
            % {"column": column_label(column)}
        )
    for column, value in values.items():
        if column in formulas:
            continue
        text = _text(value)
        if text.startswith(ESCAPED_STARTS):
            text = text[1:]
        try:
            _set(row, column, value, text)
        except ValueError as error:
            row.errors.append(str(error))
    if not row.employee and not row.errors:
        row.errors.append(_("Neither an employee number nor an email is given."))
    return row


def _set(row: Row, column: str, value, text: str) -> None:
    if len(text) > MAX_CELL_LENGTH:
        raise ValueError(
            _("%(column)s is longer than %(n)d characters.")
            % {"column": column_label(column), "n": MAX_CELL_LENGTH}
        )
    if column in {"entry", "exit"}:
        setattr(row, column, parse_date(value, column))
    elif column == "country":
        row.country = parse_country(text)
    elif column == "purpose":
        row.purpose = parse_purpose(text)
    elif column == "email":
        row.email = text.lower()
    else:
        setattr(row, column, text)


def parse_date(value, column: str = "entry") -> date | None:
    """A date cell, an ISO date (2026-03-05) or a German one (05.03.2026); None if empty.
    Within the years the forms take (forms.within_years), or a ValueError that says so."""
    day = _parse_date(value, column)
    if day is not None:
        try:
            within_years(day)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
    return day


def _parse_date(value, column: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        if column == "entry":
            raise ValueError(_("The entry date is missing."))
        return None
    for pattern, order in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            parts = [int(match.group(i + 1)) for i in order]
            with contextlib.suppress(ValueError):
                return date(*parts)
    raise ValueError(
        _("%(column)s %(value)s is not a date; write 2026-03-05 or 05.03.2026.")
        % {"column": column_label(column), "value": text[:40]}
    )


@functools.cache
def _names(kind: str) -> dict[str, str]:
    """Countries or purposes by code and by name in English and German, compared normalised.

    Keyed by a plain name: a tuple of lazy labels would be translated again to be hashed.
    """
    choices = COUNTRIES if kind == "country" else Purpose.choices
    names = {}
    for language in ("en", "de"):
        with translation.override(language):
            for code, label in choices:
                names[_normal(label)] = code
    for code, _label in choices:
        names[_normal(code)] = code
    return names


def parse_country(text: str) -> str:
    if not text:
        raise ValueError(_("The country is missing."))
    code = _names("country").get(_normal(text))
    if code is None:
        raise ValueError(_("Unknown country %(value)s.") % {"value": text[:40]})
    return code


def parse_purpose(text: str) -> str:
    """A purpose by its code or name; empty: a business meeting, as on the trip form."""
    if not text:
        return Purpose.BUSINESS_MEETING
    code = _names("purpose").get(_normal(text))
    if code is None:
        raise ValueError(_("Unknown purpose %(value)s.") % {"value": text[:40]})
    return code


COLUMN_LABELS = {
    "employee_number": gettext_lazy("Employee number"),
    "email": gettext_lazy("Email"),
    "country": gettext_lazy("Country"),
    "entry": gettext_lazy("Entry"),
    "exit": gettext_lazy("Exit"),
    "purpose": gettext_lazy("Purpose"),
    "host": gettext_lazy("Host"),
    "address": gettext_lazy("Address"),
}


def column_label(column: str) -> str:
    return str(COLUMN_LABELS[column])


def template_header() -> list[str]:
    """The first row of the import template, in German for German readers."""
    if (translation.get_language() or "").startswith("de"):
        return [GERMAN_HEADERS[column] for column in COLUMNS]
    return list(COLUMNS)


TEMPLATE_EXAMPLE = [
    "E-1001",
    "",
    "KZ",
    date(2026, 3, 2),
    date(2026, 3, 11),
    Purpose.BUSINESS_MEETING,
    "Steppe LLP",
    "Abay Ave 1, Almaty",
]
