"""Visas and permits from a file: its own template and columns, the trip import's machinery.

A visa sheet names the traveller (employee number or email), who issued the visa, its kind,
number, entries (a number, or empty / "multiple"), validity and days allowed. It is read by
trips/files/imports.py with the VISAS layout, previewed row by row (new, already saved: the
same traveller, kind, number and first day, or refused with the reason) and saved on
confirmation, with the travellers' snapshots refreshed, like trips.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from trips.choices import VisaKind
from trips.dates import day
from trips.evaluation import snapshots
from trips.evaluation.stays import with_related
from trips.files import import_preview, imports
from trips.files.import_preview import ERROR, NEW, PRESENT, Preview, PreviewOutdated
from trips.models import ImportPreview, Traveller, Visa
from trips.models.domain import TravellerQuerySet

FIELDS = [
    "employee_number",
    "email",
    "issued_by",
    "visa_kind",
    "number",
    "entries",
    "valid_from",
    "valid_until",
    "days_allowed",
]
REQUIRED = ["issued_by", "visa_kind", "valid_from", "valid_until"]
ALIASES = {
    "employee_number": imports.ALIASES["employee_number"] + ["Personalnummer", "Табельный номер"],
    "email": imports.ALIASES["email"] + ["E-Mail", "Электронная почта"],
    "issued_by": ["issued by", "country", "Ausstellerstaat", "Land", "Страна выдачи", "Страна"],
    "visa_kind": ["kind", "type", "visa type", "Visumart", "Art", "Тип визы", "Тип"],
    "number": ["visa number", "Visumnummer", "Nummer", "Номер визы", "Номер"],
    "entries": ["entries allowed", "Einreisen", "Въезды", "Количество въездов"],
    "valid_from": ["gültig ab", "Gültig von", "Действует с", "Начало"],
    "valid_until": ["gültig bis", "Действует по", "Окончание"],
    "days_allowed": ["days", "days of stay", "Aufenthaltstage", "Tage", "Дней пребывания"],
}
TEMPLATE_HEADERS = {
    "de": ["Personalnummer", "E-Mail", "Ausstellerstaat", "Visumart", "Visumnummer", "Einreisen",
           "Gültig ab", "Gültig bis", "Aufenthaltstage"],
    "ru": ["Табельный номер", "Электронная почта", "Страна выдачи", "Тип визы", "Номер визы",
           "Въезды", "Действует с", "Действует по", "Дней пребывания"],
}  # fmt: skip
TEMPLATE_EXAMPLE = ["E-1001", "", "KZ", "c3", "C3-0001", "", date(2026, 3, 1),
                    date(2026, 12, 31), ""]  # fmt: skip
MULTIPLE = {imports.normal(word) for word in ["multiple", "mult", "mehrfach", "многократная", "M"]}


@dataclass
class VisaRow(imports.Row):
    issued_by: str = ""
    visa_kind: str = ""
    number: str = ""
    entries: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    days_allowed: int | None = None


def _set(row: VisaRow, column: str, value, text: str) -> None:
    if column in {"employee_number", "email"}:
        imports._set(row, column, value, text)
    elif column == "issued_by":
        row.issued_by = imports.parse_country(text)
    elif column == "visa_kind":
        row.visa_kind = _kind(text)
    elif column in {"valid_from", "valid_until"}:
        given = imports.parse_date(value, column) if text else None
        if given is None:
            raise ValueError(_("%(column)s is missing.") % {"column": imports.column_label(column)})
        setattr(row, column, given)
    elif column == "entries":
        row.entries = None if not text or imports.normal(text) in MULTIPLE else _count(column, text)
    elif column == "days_allowed":
        row.days_allowed = _count(column, text) if text else None
    else:
        row.number = text[:60]


def _kind(text: str) -> str:
    names = {imports.normal(code): code for code in VisaKind.values}
    names |= {imports.normal(label): code for code, label in VisaKind.choices}
    code = names.get(imports.normal(text))
    if code is None:
        raise ValueError(_("Unknown visa kind %(value)s.") % {"value": text[:40]})
    return code


def _count(column: str, text: str) -> int:
    if not text.isdigit() or int(text) < 1 or int(text) > 10_000:
        raise ValueError(
            _("%(column)s %(value)s is not a whole number of at least 1.")
            % {"column": imports.column_label(column), "value": text[:40]}
        )
    return int(text)


def parse_row(line: int, values: dict, formulas: set[str]) -> VisaRow:
    # `make` decides the row's class; parse_row is typed for the trips' rows only.
    return cast(VisaRow, imports.parse_row(line, values, formulas, make=VisaRow, setter=_set))


def missing_columns(fields) -> list[str]:
    fields = set(fields)
    missing = [imports.column_label(column) for column in REQUIRED if column not in fields]
    if not {"employee_number", "email"} & fields:
        missing.insert(0, _("Employee number or email"))
    return missing


LOOKUP = {
    imports.normal(name): column
    for column in FIELDS
    for name in [
        column,
        *ALIASES[column],
        *(h[FIELDS.index(column)] for h in TEMPLATE_HEADERS.values()),
    ]
}
VISAS = imports.Layout(LOOKUP, missing_columns, parse_row)


def template_header(language: str) -> list[str]:
    return list(TEMPLATE_HEADERS.get(language[:2], FIELDS))


def check(travellers: QuerySet[Traveller], rows: list[VisaRow]) -> Preview:
    """Every visa row's outcome: new, already saved, or refused with the reason."""
    found = import_preview._travellers(travellers, rows)
    saved: defaultdict[int | None, set[tuple[str, str, date | None]]] = defaultdict(set)
    whose = [t.pk for t in found.values() if t is not None]
    for visa in Visa.objects.filter(traveller__in=whose):
        saved[visa.traveller_id].add((visa.kind, visa.number, visa.valid_from))
    first: dict[tuple[int | None, str, str, date | None], int] = {}
    preview = Preview()
    for row in rows:
        traveller, problem = import_preview._traveller_of(row, found)
        problems = row.errors + ([problem] if problem else [])
        # Without problems, the required dates were read (REQUIRED) and the traveller found.
        valid_from, valid_until = row.valid_from, row.valid_until
        if (
            not problems
            and valid_until is not None
            and valid_from is not None
            and valid_until < valid_from
        ):
            problems.append(
                _("Valid until %(until)s is before valid from %(from)s")
                % {"until": day(row.valid_until), "from": day(row.valid_from)}
            )
        key = (traveller.pk if traveller else None, row.visa_kind, row.number, row.valid_from)
        if problems or traveller is None:
            outcome, message = ERROR, " ".join(problems)
        elif key[1:] in saved[key[0]]:
            outcome, message = PRESENT, _("Already saved; skipped.")
        elif key in first:
            outcome, message = PRESENT, _("Same as row %(row)d; skipped.") % {"row": first[key]}
        else:
            outcome, message = NEW, ""
            first[key] = row.line
            preview.new_trips.append(_stored(traveller, row))
        preview.rows.append(_shown(row, traveller, outcome, message))
    preview.fingerprint = fingerprint({values["traveller"] for values in preview.new_trips})
    return preview


def _stored(traveller: Traveller, row: VisaRow) -> dict:
    return {
        "traveller": traveller.pk,
        "country": row.issued_by,
        "kind": row.visa_kind,
        "number": row.number,
        "entries_allowed": row.entries,
        # Only rows without problems are stored: both dates were read (REQUIRED).
        "valid_from": cast(date, row.valid_from).isoformat(),
        "valid_until": cast(date, row.valid_until).isoformat(),
        "days_allowed": row.days_allowed,
    }


def _shown(row: VisaRow, traveller, outcome: str, message: str) -> dict:
    return {
        "line": row.line,
        "employee": row.employee or row.given.get("employee_number", ""),
        "name": traveller.name if traveller else "",
        "country": row.issued_by or row.given.get("issued_by", ""),
        "entry": row.valid_from.isoformat() if row.valid_from else row.given.get("valid_from", ""),
        "exit": row.valid_until.isoformat()
        if row.valid_until
        else row.given.get("valid_until", ""),
        "purpose": row.visa_kind or row.given.get("visa_kind", ""),
        "host": row.number,
        "outcome": outcome,
        "message": message,
    }


def fingerprint(traveller_ids) -> str:
    """A digest of these travellers' visas: any visa added, changed or removed changes it."""
    ids = sorted(traveller_ids)
    digest = hashlib.sha256(repr(ids).encode())
    visas = Visa.objects.filter(traveller_id__in=ids).order_by("traveller_id", "pk")
    for values in visas.values_list("traveller_id", "pk", "kind", "number", "valid_from"):
        digest.update(repr(values).encode())
    return digest.hexdigest()


def confirm(stored: ImportPreview, travellers: TravellerQuerySet, *, on: date) -> int:
    """Save the previewed new visas in one transaction, or raise PreviewOutdated."""
    import_preview.still_open(stored)
    visas = [
        Visa(
            traveller_id=values["traveller"],
            country=values["country"],
            kind=values["kind"],
            number=values["number"],
            entries_allowed=values["entries_allowed"],
            valid_from=date.fromisoformat(values["valid_from"]),
            valid_until=date.fromisoformat(values["valid_until"]),
            days_allowed=values["days_allowed"],
        )
        for values in stored.new_trips
    ]
    ids = {visa.traveller_id for visa in visas}
    with transaction.atomic():
        allowed = travellers.filter(pk__in=ids, erased_at__isnull=True).lock()
        if len(allowed) != len(ids) or fingerprint(ids) != stored.fingerprint:
            raise PreviewOutdated(
                _("The visas changed since the preview; nothing was saved. Upload the file again.")
            )
        bulk_create_with_history(
            visas, Visa, default_user=stored.user, default_change_reason="import"
        )
        snapshots.travellers_changed(with_related(Traveller.objects.filter(pk__in=ids)), on=on)
        import_preview.mark_saved(stored, visas=[visa.pk for visa in visas])
    return len(visas)
