"""Whose status an import would change: each traveller evaluated as is, and with the file's
new trips added in memory (nothing is saved to find out)."""

from __future__ import annotations

import copy
from datetime import date

from django.db.models import QuerySet

from trips.choices import STATUS_URGENCY, Status
from trips.evaluation.findings import evaluate
from trips.evaluation.stays import with_related
from trips.models import AddressChange, Notification, Traveller, Trip

BATCH = 500


def _prefetched(queryset: QuerySet, items: list) -> QuerySet:
    """A queryset holding `items`, as prefetch_related leaves one in an object's cache."""
    # Django's private prefetch state, which django-stubs leaves out.
    queryset._result_cache = list(items)
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset


def with_drafts(traveller: Traveller, drafts: list[Trip]) -> Traveller:
    """A copy of a prefetched `traveller` whose trips include the unsaved `drafts`.

    The drafts get negative primary keys (no saved row has one) and empty notification and
    address-change lists, so the evaluation reads them like saved trips, from memory.
    """
    for index, draft in enumerate(drafts, start=1):
        draft.pk = -index
        # Django's private prefetch cache, which django-stubs leaves out of models.
        draft._prefetched_objects_cache = {  # type: ignore[attr-defined]
            "notifications": _prefetched(Notification.objects.none(), []),
            "address_changes": _prefetched(AddressChange.objects.none(), []),
        }
    clone = copy.copy(traveller)
    trips = [*traveller.trips.all(), *drafts]
    clone._prefetched_objects_cache = {  # type: ignore[attr-defined]  # as above
        **traveller._prefetched_objects_cache,  # type: ignore[attr-defined]
        "trips": _prefetched(Trip.objects.all(), sorted(trips, key=lambda t: t.entry)),
    }
    return clone


def status_changes(drafts: dict[int, list[Trip]], *, on: date) -> list[dict]:
    """Each traveller whose status the drafts would change, most urgent first."""
    changes = []
    ids = sorted(drafts)
    for start in range(0, len(ids), BATCH):
        batch = Traveller.objects.filter(pk__in=ids[start : start + BATCH])
        for traveller in with_related(batch):
            before = evaluate(traveller, on=on)
            after = evaluate(with_drafts(traveller, drafts[traveller.pk]), on=on)
            if before.status == after.status and before.reason == after.reason:
                continue
            changes.append(
                {
                    "traveller": traveller.pk,
                    "name": traveller.name,
                    "employee_number": traveller.employee_number,
                    "before": before.status,
                    "after": after.status,
                    "reason": after.reason,
                }
            )
    changes.sort(key=lambda c: (-STATUS_URGENCY[Status(c["after"])], c["name"]))
    return changes
