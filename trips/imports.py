"""Trips in and out as CSV, for HR: one file, all rows or none.

An uploaded file is read in memory (ImportUploadHandler stops reading past the size limit),
parsed as text and never stored nor executed. Each row goes through the same TripForm as the
page, so a row is refused for exactly the reasons the page would refuse it.
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import snapshots
from .forms import TripForm
from .models import Traveller, Trip

COLUMNS = ["employee_number", "country", "entry", "exit", "purpose", "host", "address"]
# A spreadsheet would run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def check_size(size: int) -> None:
    limit = settings.STAYSITE_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s; files of up to %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV trip list with their line numbers (the header is row 1)."""
    check_size(len(content))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from None
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise FileRefused(
            _("The first row must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            cleaned = {column: (row.get(column) or "").strip() for column in COLUMNS}
            rows.append((reader.line_num, cleaned))
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)d cannot be read: %(error)s") % {"row": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise FileRefused(_("The file has no trips in it."))
    return rows


def _purpose(value: str) -> str:
    """The purpose's code, also when the file names it in words ("Business meeting")."""
    for code, label in Trip.Purpose.choices:
        if value.lower() in {code, str(label).lower()}:
            return code
    return value


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    travellers: set[int] = field(default_factory=set)


def import_trips(travellers: QuerySet[Traveller], content: bytes, *, on: date) -> ImportResult:
    """Create a trip for each row, or none at all if any row is refused.

    `travellers` are those the importing user may manage: an employee number outside it is
    refused like an unknown one, so a file cannot reach into another organisation.
    """
    result = ImportResult()
    try:
        rows = read_rows(content)
    except FileRefused as refused:
        result.errors.append(str(refused))
        return result
    by_number = {
        traveller.employee_number: traveller
        for traveller in travellers.filter(
            employee_number__in={row["employee_number"] for _line, row in rows},
            erased_at__isnull=True,
        )
    }
    with transaction.atomic():
        for line, row in rows:
            traveller = by_number.get(row["employee_number"])
            if traveller is None:
                result.errors.append(
                    _("Row %(row)d: no traveller with employee number %(number)s.")
                    % {"row": line, "number": row["employee_number"] or "-"}
                )
                continue
            data = {**row, "purpose": _purpose(row["purpose"])}
            form = TripForm(data, traveller=traveller)
            if not form.is_valid():
                result.errors.extend(_row_errors(line, form))
                continue
            try:
                with transaction.atomic():
                    form.save()
            except IntegrityError:
                result.errors.append(
                    _("Row %(row)d: overlaps another trip of this traveller.") % {"row": line}
                )
                continue
            result.created += 1
            result.travellers.add(traveller.pk)
        if result.errors:
            transaction.set_rollback(True)
            result.created = 0
            result.travellers = set()
            return result
        for traveller in travellers.filter(pk__in=result.travellers):
            snapshots.traveller_changed(traveller, on=on)
    return result


def _row_errors(line: int, form: TripForm) -> list[str]:
    errors = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in messages:
            if label:
                errors.append(
                    _("Row %(row)d, %(column)s: %(message)s")
                    % {"row": line, "column": label, "message": message}
                )
            else:
                errors.append(_("Row %(row)d: %(message)s") % {"row": line, "message": message})
    return errors


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_trips(travellers: QuerySet[Traveller]) -> str:
    """The trips of `travellers` as CSV, in the columns the import reads."""
    trips = (
        Trip.objects.filter(traveller__in=travellers)
        .select_related("traveller")
        .order_by("traveller__employee_number", "entry", "pk")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for trip in trips:
        writer.writerow(
            [
                _cell(trip.traveller.employee_number),
                trip.country,
                trip.entry.isoformat(),
                trip.exit.isoformat() if trip.exit else "",
                trip.purpose,
                _cell(trip.host),
                _cell(trip.address),
            ]
        )
    return out.getvalue()
