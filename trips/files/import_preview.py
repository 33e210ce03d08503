"""Checking a trip file against the database before anything is saved, and saving it after.

`check()` gives every row of the file an outcome (new, already saved, or refused with the
reason) and evaluates each traveller the new rows concern twice, without and with them, so
HR sees whose status would change before confirming. Nothing is written: the rows are
evaluated in memory. `store()` keeps the outcome for the confirmation; `confirm()` saves the
new trips in one transaction, or nothing if the trips of those travellers changed meanwhile
(the fingerprint taken at the check no longer matches).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from trips.dates import day
from trips.evaluation import services, snapshots
from trips.evaluation.stays import with_related
from trips.files.import_statuses import status_changes
from trips.files.imports import Row
from trips.models import ImportPreview, Traveller, Trip
from trips.models.domain import TravellerQuerySet

NEW, CHANGED, PRESENT, ERROR = "new", "changed", "present", "error"
# What a row may change of a saved trip it names by traveller, country and entry.
CHANGEABLE = ["exit", "purpose", "host", "address"]
# A preview is confirmed soon after it is made, or made again.
PREVIEW_HOURS = int(ImportPreview.KEEP.total_seconds() // 3600)
BATCH = 500


class PreviewOutdated(Exception):
    """The trips changed since the preview (or the preview expired): nothing was saved."""


@dataclass
class Preview:
    rows: list[dict] = field(default_factory=list)
    new_trips: list[dict] = field(default_factory=list)
    new_travellers: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    fingerprint: str = ""


def check(travellers: QuerySet[Traveller], rows: list[Row], *, on: date, create_in=None) -> Preview:
    """Every row's outcome, and how the statuses of the travellers it concerns would change.

    `travellers` are those the importing user may manage: an employee outside it is unknown,
    so a file cannot reach into another organisation. With `create_in` (an organisation), a
    row for an unknown employee number with a name and citizenship would create the
    traveller: such travellers get negative keys until they are saved.
    """
    found = _travellers(travellers, rows)
    newcomers: dict[str, Traveller] = {}
    saved: dict[int, list[Trip]] = defaultdict(list)
    for trip in Trip.objects.filter(traveller__in=list(found.values())).order_by("entry", "pk"):
        saved[trip.traveller_id].append(trip)
    outcomes: dict[int, tuple[str, str]] = {}
    drafts: dict[int, Trip] = {}
    whose: dict[int, Traveller] = {}
    for row in rows:
        traveller, problem = _traveller_of(row, found)
        if traveller is None and _unknown_number(row, found):
            if create_in is not None:
                traveller, problem = _newcomer(row, newcomers, create_in)
            elif row.name:
                problem = _(
                    "No traveller with employee number %(number)s; tick “Create new "
                    "travellers” to create one from this row."
                ) % {"number": row.employee_number}
        if traveller is not None:
            whose[row.line] = traveller
        problems = row.errors + ([problem] if problem else [])
        entry = row.entry  # a required column: read whenever the row has no problems
        if not problems and entry is not None and row.exit is not None and row.exit < entry:
            problems.append(
                _("Exit %(exit)s is before entry %(entry)s")
                % {"exit": day(row.exit), "entry": day(entry)}
            )
        if not problems and row.exit is None and entry is not None and entry > on:
            problems.append(_("A planned trip needs an exit date."))
        if problems or entry is None:
            outcomes[row.line] = (ERROR, " ".join(problems))
            continue
        drafts[row.line] = Trip(
            traveller=traveller,
            country=row.country,
            entry=entry,
            exit=row.exit,
            purpose=row.purpose,
            host=row.host,
            address=row.address,
        )
    outcomes |= _overlaps(drafts, saved)
    preview = Preview()
    for row in rows:
        outcome, message = outcomes.get(row.line, (NEW, ""))
        draft = drafts.get(row.line)
        preview.rows.append(_shown(row, whose.get(row.line), outcome, message))
        # A row without problems has its draft; only those are new or changes.
        if outcome == NEW and draft is not None:
            preview.new_trips.append(_stored(draft))
        elif outcome == CHANGED and draft is not None:
            preview.new_trips.append({**_stored(draft), "trip": draft.pk})
    new_by_traveller = defaultdict(list)
    for line, draft in drafts.items():
        if outcomes.get(line, (NEW,))[0] == NEW:
            new_by_traveller[draft.traveller_id].append(draft)
    preview.new_travellers = [
        _newcomer_stored(t) for t in newcomers.values() if t.pk in new_by_traveller
    ]
    known = {pk: trips for pk, trips in new_by_traveller.items() if pk > 0}
    preview.changes = status_changes(known, on=on)
    changed = {
        d.traveller_id for line, d in drafts.items() if outcomes.get(line, (NEW,))[0] == CHANGED
    }
    preview.fingerprint = fingerprint(set(new_by_traveller) | changed)
    return preview


def _travellers(
    travellers: QuerySet[Traveller], rows: Sequence[Row]
) -> dict[str, Traveller | None]:
    """The file's travellers by "number:E-1001" and "email:a@b.c" (None: several share it)."""
    numbers = {row.employee_number for row in rows if row.employee_number}
    emails = {row.email for row in rows if row.email}
    known = travellers.filter(erased_at__isnull=True).select_related("organisation")
    found: dict[str, Traveller | None] = {}
    for traveller in known.filter(employee_number__in=numbers):
        found[f"number:{traveller.employee_number}"] = traveller
    by_email = known.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    for traveller in by_email:
        key = f"email:{traveller.email_lower}"
        found[key] = None if key in found else traveller
    return found


def _traveller_of(row: Row, found: dict) -> tuple[Traveller | None, str]:
    if row.employee_number:
        traveller = found.get(f"number:{row.employee_number}")
        if traveller is None:
            return None, _("No traveller with employee number %(number)s.") % {
                "number": row.employee_number
            }
        if row.email and row.email != traveller.email.lower():
            message = _("Employee number %(number)s and email %(email)s name different people.")
            return None, message % {"number": row.employee_number, "email": row.email}
        return traveller, ""
    if not row.email:
        return None, ""  # the row's own error says so
    key = f"email:{row.email}"
    if key in found and found[key] is None:
        return None, _("Several travellers have the email %(email)s; give the employee number.") % {
            "email": row.email
        }
    if found.get(key) is None:
        return None, _("No traveller with email %(email)s.") % {"email": row.email}
    return found[key], ""


def _unknown_number(row: Row, found: dict) -> bool:
    return bool(row.employee_number) and f"number:{row.employee_number}" not in found


def _newcomer(row: Row, newcomers: dict, organisation) -> tuple[Traveller | None, str]:
    """The traveller a row for an unknown employee number would create, or why it cannot."""
    if row.employee_number in newcomers:
        return newcomers[row.employee_number], ""
    if not row.name or not row.citizenship:
        return None, _(
            "No traveller with employee number %(number)s; a new one needs a name and a "
            "citizenship."
        ) % {"number": row.employee_number}
    traveller = Traveller(
        pk=-(len(newcomers) + 1),
        organisation=organisation,
        name=row.name,
        employee_number=row.employee_number,
        email=row.email,
        citizenship=row.citizenship,
    )
    newcomers[row.employee_number] = traveller
    return traveller, ""


def _newcomer_stored(traveller: Traveller) -> dict:
    return {
        "key": traveller.pk,
        "name": traveller.name,
        "employee_number": traveller.employee_number,
        "email": traveller.email,
        "citizenship": traveller.citizenship,
    }


def _overlaps(drafts: dict[int, Trip], saved: dict[int, list[Trip]]) -> dict:
    """Rows already saved (skipped) and rows that share a day with a saved trip or another row.

    Per traveller, the trips and rows are swept in order of their first half-day, keeping the
    one that reaches furthest: whatever starts before that one ends overlaps it (the same
    half-day convention as Trip.conflicts_with: a trip may begin on the day another ends).
    """
    outcomes: dict[int, tuple[str, str]] = {}
    by_traveller: dict[int, list[tuple[int, Trip]]] = defaultdict(list)
    for line, draft in drafts.items():
        by_traveller[draft.traveller_id].append((line, draft))
    for traveller_id, lines in by_traveller.items():
        starts = {(t.country, t.entry): t for t in saved.get(traveller_id, [])}
        first_line: dict[tuple, int] = {}
        items: list[tuple[float, float, int, Trip | None]] = []
        changes: dict[int, tuple[str, str]] = {}
        replaced: set[int] = set()
        for line, draft in lines:
            key = (draft.country, draft.entry, draft.exit)
            same_start = starts.get((draft.country, draft.entry))
            edits = _edits(same_start, draft) if same_start is not None else None
            if edits == []:
                outcomes[line] = (PRESENT, _("Already saved; skipped."))
            elif edits and same_start is not None and same_start.pk not in replaced:
                # An exported row edited: it changes the saved trip it names.
                replaced.add(same_start.pk)
                draft.pk = same_start.pk
                changes[line] = (CHANGED, _("Changes %(edits)s.") % {"edits": "; ".join(edits)})
                items.append((*draft.half_day_span(), line, None))
            elif key in first_line:
                outcomes[line] = (
                    PRESENT,
                    _("Same as row %(row)d; skipped.") % {"row": first_line[key]},
                )
            else:
                first_line[key] = line
                items.append((*draft.half_day_span(), line, None))
        items += [
            (*trip.half_day_span(), 0, trip)
            for trip in saved.get(traveller_id, [])
            if trip.pk not in replaced
        ]
        items.sort(key=lambda item: (item[0], item[1], item[2]))
        reach = None
        for item in items:
            if reach is not None and item[0] <= reach[1]:
                for this, other in ((item, reach), (reach, item)):
                    if this[3] is None and this[2] not in outcomes:
                        outcomes[this[2]] = (ERROR, _overlap_message(other))
            if reach is None or item[1] > reach[1]:
                reach = item
        outcomes |= {line: change for line, change in changes.items() if line not in outcomes}
    return outcomes


def _edits(trip: Trip, draft: Trip) -> list[str]:
    """What `draft` changes of the saved `trip`, field by field, in words."""
    from trips.files.imports import column_label

    edits = []
    for name in CHANGEABLE:
        old, new = getattr(trip, name), getattr(draft, name)
        if old != new:
            shown = [day(v) if isinstance(v, date) else (v or "–") for v in (old, new)]
            edits.append(f"{column_label(name)}: {shown[0]} → {shown[1]}")
    return edits


def _overlap_message(other) -> str:
    if other[3] is not None:
        return _("Overlaps the trip %(span)s") % {"span": other[3].span}
    return _("Overlaps row %(row)d of the file.") % {"row": other[2]}


def _shown(row: Row, traveller: Traveller | None, outcome: str, message: str) -> dict:
    return {
        "line": row.line,
        "employee": row.employee or row.given.get("employee_number", ""),
        "name": traveller.name if traveller else "",
        "new_traveller": traveller is not None and traveller.pk < 0,
        "country": row.country or row.given.get("country", ""),
        "entry": row.entry.isoformat() if row.entry else row.given.get("entry", ""),
        "exit": row.exit.isoformat() if row.exit else row.given.get("exit", ""),
        "purpose": row.purpose if not row.errors else row.given.get("purpose", ""),
        "host": row.host or row.given.get("host", ""),
        "outcome": outcome,
        "message": message,
    }


def _stored(draft: Trip) -> dict:
    return {
        "traveller": draft.traveller_id,
        "country": draft.country,
        "entry": draft.entry.isoformat(),
        "exit": draft.exit.isoformat() if draft.exit else None,
        "purpose": draft.purpose,
        "host": draft.host,
        "address": draft.address,
    }


def _trip(stored: dict) -> Trip:
    return Trip(
        traveller_id=stored["traveller"],
        country=stored["country"],
        entry=date.fromisoformat(stored["entry"]),
        exit=date.fromisoformat(stored["exit"]) if stored["exit"] else None,
        purpose=stored["purpose"],
        host=stored["host"],
        address=stored["address"],
    )


def fingerprint(traveller_ids) -> str:
    """A digest of the trips of these travellers: it changes with any trip added, changed or
    removed, so a confirmation can tell whether the preview still holds."""
    ids = sorted(traveller_ids)
    digest = hashlib.sha256(repr(ids).encode())
    trips = Trip.objects.filter(traveller_id__in=ids).order_by("traveller_id", "pk")
    for values in trips.values_list("traveller_id", "pk", "country", "entry", "exit"):
        digest.update(repr(values).encode())
    return digest.hexdigest()


# --- Keeping and confirming --------------------------------------------------------------


def store(
    preview: Preview, *, user, file_name: str, on: date, reading=None, lines=None
) -> ImportPreview:
    """Keep the preview for its confirmation; the uploader's expired previews go. `reading`
    says how the file was read, and `lines` are its lines, kept for mapping its columns
    again (trips/files/import_mapping.py)."""
    expired = timezone.now() - timedelta(hours=PREVIEW_HOURS)
    ImportPreview.objects.filter(user=user, created_at__lt=expired).delete()
    return ImportPreview.objects.create(
        token=secrets.token_urlsafe(24),
        user=user,
        file_name=file_name[:255],
        checked_on=on,
        rows=preview.rows,
        new_trips=preview.new_trips,
        new_travellers=preview.new_travellers,
        changes=preview.changes,
        fingerprint=preview.fingerprint,
        reading=reading or {},
        lines=lines or [],
    )


def confirm(stored: ImportPreview, travellers: TravellerQuerySet, *, on: date) -> int:
    """Save the previewed new trips, all in one transaction; raises PreviewOutdated instead if
    the trips of their travellers changed since the preview, the user may no longer manage
    one of them, or the preview is older than PREVIEW_HOURS. Returns the number saved."""
    still_open(stored)
    trips = [_trip(values) for values in stored.new_trips]
    ids = {trip.traveller_id for trip in trips if trip.traveller_id > 0}
    changed = _("The trips changed since the preview; nothing was saved. Upload the file again.")
    try:
        with transaction.atomic():
            # Locking the travellers keeps two confirmations from saving the same rows; in pk
            # order, as every saver and the daily refresh lock them, so that none deadlock.
            allowed = travellers.filter(pk__in=ids, erased_at__isnull=True).lock()
            everyone = {trip.traveller_id for trip in trips}
            if len(allowed) != len(ids) or fingerprint(everyone) != stored.fingerprint:
                raise PreviewOutdated(changed)
            created = create_travellers(stored)
            for trip in trips:
                if trip.traveller_id < 0:
                    trip.traveller_id = created[trip.traveller_id]
            edited = [v for v in stored.new_trips if "trip" in v]
            _change_trips(edited, by=stored.user, on=on)
            trips = [
                trip for trip, v in zip(trips, stored.new_trips, strict=True) if "trip" not in v
            ]
            services.save_imported_trips(trips, by=stored.user, on=on)
            mark_saved(
                stored,
                trips=[trip.pk for trip in trips],
                travellers=list(created.values()),
            )
    except IntegrityError:
        # The database's own overlap rule caught what the fingerprint could not, or another
        # traveller got one of the new employee numbers meanwhile.
        raise PreviewOutdated(changed) from None
    return len(trips)


def _change_trips(edited: list[dict], *, by, on: date) -> None:
    """Save the changes of exported rows edited in the file to the trips they name."""
    if not edited:
        return
    trips = Trip.objects.in_bulk([values["trip"] for values in edited])
    for values in edited:
        trip = trips[values["trip"]]
        fresh = _trip(values)
        for name in CHANGEABLE:
            setattr(trip, name, getattr(fresh, name))
        trip._history_user = by
        trip._change_reason = "import"
        trip.save()
    travellers = Traveller.objects.filter(pk__in={t.traveller_id for t in trips.values()})
    snapshots.travellers_changed(with_related(travellers), on=on)


def still_open(stored: ImportPreview) -> None:
    """Raises PreviewOutdated if the preview was confirmed already or has expired."""
    if stored.saved_at is not None:
        raise PreviewOutdated(_("This file was imported already."))
    if stored.created_at < timezone.now() - timedelta(hours=PREVIEW_HOURS):
        raise PreviewOutdated(_("This preview has expired; upload the file again."))


def mark_saved(stored: ImportPreview, **created: list[int]) -> None:
    """The preview confirmed: it becomes the batch of what it `created` (pks by kind)."""
    stored.saved_at = timezone.now()
    stored.lines = []  # no more mapping: the file's text need not be kept
    stored.created = {kind: sorted(pks) for kind, pks in created.items() if pks}
    stored.save(update_fields=["saved_at", "lines", "created"])


def create_travellers(stored: ImportPreview) -> dict[int, int]:
    """Create the previewed new travellers, owned by the uploader; their pk by preview key."""
    by = stored.user
    travellers = [
        Traveller(
            # The uploader is HR of an organisation: only they reach the import pages.
            organisation_id=by.organisation_id,  # type: ignore[misc]
            name=values["name"],
            employee_number=values["employee_number"],
            email=values["email"],
            citizenship=values["citizenship"],
            hr_owner=by,
            language=by.language,
        )
        for values in stored.new_travellers
    ]
    created = {}
    for values, traveller in zip(stored.new_travellers, travellers, strict=True):
        traveller._history_user = by  # the history names the uploader, as on the form
        traveller._change_reason = "import"
        traveller.save()
        created[values["key"]] = traveller.pk
    return created
