"""Reading HR's trip files: CSV or Excel (.xlsx), headers in English or German.

trips/files/sources.py turns the file's bytes into lines of cells; this module finds the
header and turns the lines into rows of typed values, each with the reasons it cannot be
read: a formula cell is refused, not computed. trips/files/import_preview.py checks the rows
against the database.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trips.choices import Purpose
from trips.countries import COUNTRIES
from trips.files import sources
from trips.files.sources import FileRefused, ImportUploadHandler, check_size
from trips.forms import within_years

__all__ = ["FileRefused", "ImportUploadHandler", "Row", "check_size", "read_rows"]

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
MAX_CELL_LENGTH = 300
# staysite's CSV exports write text a spreadsheet would run as a formula with a leading
# apostrophe (trips/files/exports.py), which reading removes again.
ESCAPED_STARTS = ("'=", "'+", "'-", "'@")
DATE_PATTERNS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (0, 1, 2)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (2, 1, 0)),
]


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


def read_rows(content: bytes) -> list[Row]:
    """The trips of a CSV or .xlsx file, one Row per non-empty line. Raises FileRefused."""
    rows = _rows(sources.lines(content))
    if not rows:
        raise FileRefused(_("The file has no trips in it."))
    return rows


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
            raise sources.too_many_rows()
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
