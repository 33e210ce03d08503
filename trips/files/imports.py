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
from collections.abc import Callable
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

__all__ = ["FileRefused", "ImportUploadHandler", "Row", "check_size", "read_file", "read_rows"]

COLUMNS = ["employee_number", "email", "country", "entry", "exit", "purpose", "host", "address"]
# Read besides the template's columns: who a new traveller is, should the file create one.
FIELDS = [*COLUMNS, "name", "citizenship"]
REQUIRED = ["country", "entry", "exit"]
# The names a column may have in the header, besides its own and the templates'; compared
# without case, spaces or punctuation, so "Employee number", "employee_number" and
# "Personal-Nr." all match.
ALIASES = {
    "employee_number": ["employee number", "employee no", "personnel number", "Personal-Nr.",
                        "Mitarbeiternummer", "Pers.-Nr.", "Табельный номер", "Таб. №",
                        "Табельный №", "Персональный номер"],
    "email": ["e-mail", "email address", "E-Mail-Adresse", "Эл. почта", "E-mail", "Почта"],
    "country": ["country code", "Staat", "Zielland", "Reiseland", "Страна назначения",
                "Код страны"],
    "entry": ["entry date", "Einreisedatum", "Beginn", "Дата въезда", "Въезд в страну"],
    "exit": ["exit date", "Ausreisedatum", "Ende", "Дата выезда", "Выезд из страны"],
    "purpose": ["Reisezweck", "Цель поездки"],
    "host": ["host / inviting party", "inviting party", "Einladende Stelle",
             "Приглашающая сторона"],
    "address": ["address in the country", "Anschrift", "Адрес в стране"],
    "name": ["full name", "Name", "Vor- und Nachname", "Mitarbeiter", "Имя", "ФИО", "Сотрудник"],
    "citizenship": ["nationality", "Staatsangehörigkeit", "Nationalität", "Гражданство"],
}  # fmt: skip
# The header of the import template (and of the trips export) in each language.
TEMPLATE_HEADERS = {
    "de": {
        "employee_number": "Personalnummer",
        "email": "E-Mail",
        "country": "Land",
        "entry": "Einreise",
        "exit": "Ausreise",
        "purpose": "Zweck",
        "host": "Gastgeber",
        "address": "Adresse",
    },
    "ru": {
        "employee_number": "Табельный номер",
        "email": "Электронная почта",
        "country": "Страна",
        "entry": "Въезд",
        "exit": "Выезд",
        "purpose": "Цель",
        "host": "Принимающая сторона",
        "address": "Адрес",
    },
}
GERMAN_HEADERS = TEMPLATE_HEADERS["de"]
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
    name: str = ""  # a new traveller's, should the file create one
    citizenship: str = ""
    given: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def employee(self) -> str:
        """Who the row is about, as the file says it."""
        return self.employee_number or self.email


def read_rows(content: bytes) -> list[Row]:
    """The trips of a CSV or .xlsx file, one Row per non-empty line. Raises FileRefused."""
    return read_file(content).rows


def normal(name) -> str:
    return re.sub(r"[\W_]+", "", str(name or "").casefold())


HEADER_LOOKUP = {
    normal(name): column
    for column in FIELDS
    for name in [
        column,
        *(headers[column] for headers in TEMPLATE_HEADERS.values() if column in headers),
        *ALIASES[column],
    ]
}
EITHER = "employee_number / email"


@dataclass
class Reading:
    """A file read as a trip list: its rows, and how it was read, for the preview to say."""

    rows: list[Row]
    source: sources.Source
    header_line: int
    names: list[str]  # the header's cells, as the file has them
    columns: dict[int, str]  # which field each read column holds, by its index
    lines: list = field(default_factory=list)  # every line as text, to map the columns again

    @property
    def ignored(self) -> list[str]:
        """The names of the header's columns that were not read."""
        return [name for i, name in enumerate(self.names) if name and i not in self.columns]


class HeaderNotFound(FileRefused):
    """No row near the top names the columns a trip needs: the user may say which it is."""

    def __init__(self, message: str, source: sources.Source, lines: list, line: int) -> None:
        super().__init__(message)
        self.source, self.lines, self.line = source, lines, line


@dataclass(frozen=True)
class Layout:
    """What a kind of file holds: its columns' names, the fields it needs, how a row reads."""

    lookup: dict[str, str]  # normalised column name -> field
    missing: Callable  # fields found -> the needed ones missing, named for the reader
    parse: Callable  # (line, values by field, formula fields) -> a row


def read_file(content: bytes, learned: dict[str, str] | None = None, layout=None) -> Reading:
    """The rows of a CSV or .xlsx file (trips, or as `layout` says), its header found among the
    first rows by the names the columns have in any language (and those `learned` for the
    organisation: normalised name -> field). Raises FileRefused, or HeaderNotFound when no
    row names the columns."""
    layout = layout or TRIPS
    source = sources.read(content)
    lines = [(line, [_cell_text(cell) for cell in cells], formulas)
             for line, cells, formulas in source.lines]  # fmt: skip
    lookup = layout.lookup | (learned or {})
    candidates = [entry for entry in lines[: sources.HEADER_SCAN_ROWS] if any(entry[1])]
    if not candidates:
        raise FileRefused(_("The file is empty."))
    needed = layout.missing([])
    if max(sum(1 for cell in cells if cell) for _line, cells, _f in candidates) < len(needed):
        # Too few columns to hold a trip (or a visa, a traveller): no header to choose.
        raise FileRefused(
            _("The file has fewer columns than it needs: %(needed)s.")
            % {"needed": ", ".join(needed)}
        )
    scored = [(len(set(_columns(cells, lookup).values())), line) for line, cells, _f in candidates]
    best = max(scored, key=lambda item: item[0])[1]
    cells = next(cells for line, cells, _f in candidates if line == best)
    columns = _columns(cells, lookup)
    missing = layout.missing(columns.values())
    if missing:
        raise HeaderNotFound(
            _("Row %(row)d was read as the header, but no row names the columns %(missing)s.")
            % {"row": best, "missing": ", ".join(missing)},
            source,
            lines,
            best,
        )
    return read_lines(source, lines, best, columns, layout)


def read_lines(source, lines: list, header_line: int, columns: dict, layout=None) -> Reading:
    """The rows below `header_line`, their `columns` (index -> field) read."""
    layout = layout or TRIPS
    names = next(cells for line, cells, _f in lines if line == header_line)
    rows: list[Row] = []
    for line, cells, formulas in lines:
        if line <= header_line or not any(cells[i] for i in columns if i < len(cells)):
            continue
        if len(rows) >= settings.STAYSITE_IMPORT_MAX_ROWS:
            raise sources.too_many_rows()
        values = {column: cells[i] if i < len(cells) else "" for i, column in columns.items()}
        rows.append(layout.parse(line, values, {columns[i] for i in formulas if i in columns}))
    if not rows:
        raise FileRefused(_("The file has no trips in it."))
    return Reading(rows, source, header_line, names, columns, lines)


def _columns(cells: list[str], lookup: dict[str, str]) -> dict[int, str]:
    """Which field each cell of a header names (the first cell naming a field wins)."""
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        column = lookup.get(normal(cell))
        if column is not None and column not in found.values():
            found[index] = column
    return found


def missing_columns(fields) -> list[str]:
    """The fields a trip needs that `fields` lack, named in the reader's language."""
    fields = set(fields)
    missing = [column_label(column) for column in REQUIRED if column not in fields]
    if not {"employee_number", "email"} & fields:
        missing.insert(0, _("Employee number or email"))
    return missing


def _cell_text(value) -> str:
    """A cell as text: a date cell as an ISO date, which parse_date reads back."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an employee number typed into a number cell
    return str(value).strip()


def parse_row(line: int, values: dict, formulas: set[str], *, make=Row, setter=None) -> Row:
    """One line's values, typed; every value that cannot be used adds an error in words.
    `make` and `setter` read other kinds of rows (trips/files/visa_import.py)."""
    setter = setter or _set
    row = make(line=line, given={column: _text(value) for column, value in values.items()})
    for column in sorted(formulas, key=list(values).index):
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
            setter(row, column, value, text)
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
    elif column == "citizenship":
        row.citizenship = parse_country(text, _("The citizenship")) if text else ""
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
    """Countries or purposes by code and by name in every language, compared normalised.

    Keyed by a plain name: a tuple of lazy labels would be translated again to be hashed.
    """
    choices = COUNTRIES if kind == "country" else Purpose.choices
    names = {}
    for language in ("en", "de", "ru"):
        with translation.override(language):
            for code, label in choices:
                names[normal(label)] = code
    for code, _label in choices:
        names[normal(code)] = code
    return names


def parse_country(text: str, what: str = "") -> str:
    if not text:
        raise ValueError(_("The country is missing."))
    code = _names("country").get(normal(text))
    if code is None and what:
        raise ValueError(
            _("%(what)s %(value)s is no known country.") % {"what": what, "value": text[:40]}
        )
    if code is None:
        raise ValueError(_("Unknown country %(value)s.") % {"value": text[:40]})
    return code


def parse_purpose(text: str) -> str:
    """A purpose by its code or name; empty: a business meeting, as on the trip form."""
    if not text:
        return Purpose.BUSINESS_MEETING
    code = _names("purpose").get(normal(text))
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
    "name": gettext_lazy("Name"),
    "citizenship": gettext_lazy("Citizenship"),
    # The visa import's (trips/files/visa_import.py).
    "issued_by": gettext_lazy("Issued by"),
    "visa_kind": gettext_lazy("Visa kind"),
    "number": gettext_lazy("Number"),
    "entries": gettext_lazy("Entries"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_until": gettext_lazy("Valid until"),
    "days_allowed": gettext_lazy("Days allowed"),
}


def column_label(column: str) -> str:
    return str(COLUMN_LABELS[column])


def template_header() -> list[str]:
    """The first row of the import template, in the reader's language."""
    headers = TEMPLATE_HEADERS.get((translation.get_language() or "")[:2])
    if headers:
        return [headers[column] for column in COLUMNS]
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


TRIPS = Layout(HEADER_LOOKUP, missing_columns, parse_row)
