"""A roster of travellers from a file: the trip import's machinery, travellers only.

Each row names a traveller: employee number, name, citizenship and optionally an email. A
row whose employee number the organisation has is "already saved" (the roster creates, it
does not overwrite); the others are created on confirmation, owned by the uploader.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from trips.evaluation import snapshots
from trips.evaluation.stays import with_related
from trips.files import import_preview, imports
from trips.files.import_preview import ERROR, NEW, PRESENT, Preview, PreviewOutdated
from trips.models import ImportPreview, Traveller

FIELDS = ["employee_number", "name", "citizenship", "email"]
TEMPLATE_HEADERS = {
    "de": ["Personalnummer", "Name", "Staatsangehörigkeit", "E-Mail"],
    "ru": ["Табельный номер", "ФИО", "Гражданство", "Электронная почта"],
}
TEMPLATE_EXAMPLE = ["E-1001", "Tom Weber", "DE", "tom.weber@example.com"]


def missing_columns(fields) -> list[str]:
    fields = set(fields)
    return [imports.column_label(column) for column in FIELDS[:3] if column not in fields]


LOOKUP = {name: field for name, field in imports.HEADER_LOOKUP.items() if field in FIELDS}
LOOKUP |= {imports.normal(h[i]): FIELDS[i] for h in TEMPLATE_HEADERS.values() for i in range(4)}
ROSTER = imports.Layout(LOOKUP, missing_columns, imports.parse_row)


def template_header(language: str) -> list[str]:
    return list(TEMPLATE_HEADERS.get(language[:2], FIELDS))


def check(organisation, rows: list[imports.Row]) -> Preview:
    """Every roster row's outcome: a new traveller, already saved, or refused with the reason."""
    numbers = {row.employee_number for row in rows if row.employee_number}
    known = set(
        Traveller.objects.filter(
            organisation=organisation, employee_number__in=numbers
        ).values_list("employee_number", flat=True)
    )
    preview, first = Preview(), dict[str, int]()
    for row in rows:
        problems = list(row.errors)
        if not problems and not row.employee_number:
            problems.append(_("The employee number is missing."))
        if not problems and (not row.name or not row.citizenship):
            problems.append(_("A new traveller needs a name and a citizenship."))
        if problems:
            outcome, message = ERROR, " ".join(problems)
        elif row.employee_number in known:
            outcome, message = PRESENT, _("Already saved; skipped.")
        elif row.employee_number in first:
            outcome = PRESENT
            message = _("Same as row %(row)d; skipped.") % {"row": first[row.employee_number]}
        else:
            outcome, message = NEW, ""
            first[row.employee_number] = row.line
            preview.new_travellers.append(
                {
                    "key": -len(first),
                    "name": row.name,
                    "employee_number": row.employee_number,
                    "email": row.email,
                    "citizenship": row.citizenship,
                }
            )
        preview.rows.append(
            {
                "line": row.line,
                "employee": row.employee_number or row.given.get("employee_number", ""),
                "name": row.name,
                "country": row.citizenship or row.given.get("citizenship", ""),
                "entry": "",
                "exit": "",
                "purpose": "",
                "host": row.email,
                "outcome": outcome,
                "message": message,
            }
        )
    return preview


def confirm(stored: ImportPreview, travellers: QuerySet[Traveller], *, on: date) -> int:
    """Create the previewed travellers in one transaction, or raise PreviewOutdated if one of
    their employee numbers was given to someone meanwhile."""
    import_preview.still_open(stored)
    try:
        with transaction.atomic():
            created = import_preview.create_travellers(stored)
            batch = Traveller.objects.filter(pk__in=created.values())
            snapshots.travellers_changed(with_related(batch), on=on)
            import_preview.mark_saved(stored, travellers=list(created.values()))
    except IntegrityError:
        raise PreviewOutdated(
            _(
                "A traveller got one of these employee numbers since the preview; nothing was "
                "saved. Upload the file again."
            )
        ) from None
    return len(created)
