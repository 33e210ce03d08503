"""How a trip file was read, said in the preview, and its columns mapped again by the user.

A file whose header no row near the top names (or whose columns were not all read) keeps its
lines as text in the preview (`ImportPreview.lines`) until it is confirmed. The user chooses
the header row and the field of each column there; the file is read again from those lines
and checked again, and the names the user gave are remembered for the organisation
(`ImportColumnName`), so that its next file is read alike.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from trips.files import import_preview, imports, sources
from trips.models import ImportColumnName, ImportPreview

MAX_SHOWN_LINES = sources.HEADER_SCAN_ROWS


def learned_names(user) -> dict[str, str]:
    """The column names the user's organisation taught staysite: normalised name -> field."""
    if user.organisation_id is None:
        return {}
    names = ImportColumnName.objects.filter(organisation_id=user.organisation_id)
    return {name: field for name, field in names.values_list("name", "field")}


def reading_of(source: sources.Source, header_line: int, names: list, columns: dict) -> dict:
    """How the file was read, as the preview keeps it: codes and numbers, no sentences."""
    return {
        "kind": source.kind,
        "encoding": source.encoding,
        "delimiter": source.delimiter,
        "header_line": header_line,
        "names": list(names),
        "columns": {str(index): field for index, field in columns.items()},
    }


def kept_lines(lines: list) -> list:
    return [[line, cells, sorted(formulas)] for line, cells, formulas in lines]


def store_unread(unread: imports.HeaderNotFound, *, user, file_name: str, on: date):
    """A preview of a file whose header was not found: nothing checked, the lines kept."""
    names = next(cells for line, cells, _f in unread.lines if line == unread.line)
    reading = reading_of(unread.source, unread.line, names, {})
    reading["unread"] = True
    return import_preview.store(
        import_preview.Preview(),
        user=user,
        file_name=file_name,
        on=on,
        reading=reading,
        lines=kept_lines(unread.lines),
    )


def store_read(checked, reading: imports.Reading, *, user, file_name: str, on: date):
    kept = reading_of(reading.source, reading.header_line, reading.names, reading.columns)
    return import_preview.store(
        checked,
        user=user,
        file_name=file_name,
        on=on,
        reading=kept,
        lines=kept_lines(reading.lines),
    )


def description(reading: dict) -> str:
    """What was read, in the reader's language: "Windows-1252 text with semicolons; …"."""
    if not reading:
        return ""
    if reading["kind"] == "xlsx":
        what = _("The first sheet of an Excel workbook")
    else:
        what = _("%(encoding)s text with %(delimiter)s") % {
            "encoding": reading["encoding"],
            "delimiter": sources.DELIMITER_NAMES[reading["delimiter"]],
        }
    if reading.get("unread"):
        return _("%(what)s; no row names the columns a trip needs.") % {"what": what}
    return _("%(what)s; row %(row)d was read as the header.") % {
        "what": what,
        "row": reading["header_line"],
    }


def ignored(reading: dict) -> list[str]:
    columns = reading.get("columns", {})
    return [
        name for i, name in enumerate(reading.get("names", [])) if name and str(i) not in columns
    ]


def shown_lines(stored: ImportPreview) -> list:
    """The first lines of the file, for the user to choose the header among them."""
    return [
        {"line": line, "cells": cells} for line, cells, _formulas in stored.lines[:MAX_SHOWN_LINES]
    ]


class MappingRefused(ValueError):
    pass


def remap(
    stored: ImportPreview,
    travellers,
    *,
    header_line: int,
    columns: dict[int, str],
    organisation_id: int | None,
    on: date,
    create_in=None,
) -> ImportPreview:
    """Read the kept lines again with the header `header_line` and `columns` (index -> field),
    check them again (creating travellers in `create_in`, if given), and remember the names
    for the organisation. Raises MappingRefused."""
    if stored.saved_at is not None:
        raise MappingRefused(_("This file was imported already."))
    fields = list(columns.values())
    if len(set(fields)) != len(fields):
        raise MappingRefused(_("Each field may be chosen for one column only."))
    missing = imports.missing_columns(fields)
    if missing:
        raise MappingRefused(
            _("Choose a column for each of: %(missing)s.") % {"missing": ", ".join(missing)}
        )
    lines = [(line, cells, set(formulas)) for line, cells, formulas in stored.lines]
    if header_line not in {line for line, _c, _f in lines}:
        raise MappingRefused(_("Choose one of the rows shown as the header."))
    source = sources.Source(iter(()), stored.reading.get("kind", "csv"))
    source.encoding = stored.reading.get("encoding", "")
    source.delimiter = stored.reading.get("delimiter", "")
    try:
        reading = imports.read_lines(source, lines, header_line, columns)
    except imports.FileRefused as refused:
        raise MappingRefused(str(refused)) from None
    checked = import_preview.check(travellers, reading.rows, on=on, create_in=create_in)
    with transaction.atomic():
        if organisation_id is not None:
            _remember(organisation_id, reading.names, columns)
        stored.reading = reading_of(source, header_line, reading.names, columns)
        stored.reading["create"] = create_in is not None
        stored.rows = checked.rows
        stored.new_trips = checked.new_trips
        stored.new_travellers = checked.new_travellers
        stored.changes = checked.changes
        stored.fingerprint = checked.fingerprint
        stored.checked_on = on
        stored.save()
    return stored


def _remember(organisation_id: int, names: list[str], columns: dict[int, str]) -> None:
    for index, field in columns.items():
        name = imports.normal(names[index]) if index < len(names) else ""
        if name and imports.HEADER_LOOKUP.get(name) != field:
            ImportColumnName.objects.update_or_create(
                organisation_id=organisation_id, name=name[:100], defaults={"field": field}
            )
