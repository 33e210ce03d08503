"""Which travellers the dashboard lists: its filters and its orders (trips/dashboard/counts.py
counts them).

The dashboard's export lists the same travellers in the same order.
"""

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from trips import access
from trips.choices import Status
from trips.countries import COUNTRIES
from trips.models import Traveller

# Orderings the dashboard offers, of the assessed travellers (those not assessed yet follow,
# by name, except when sorting by name); ties are broken by name. Urgency first by default.
# Each matches an index of the snapshot (trips/models/results.py), so a page is read in that order.
SORTS = {
    "urgency": (
        gettext_lazy("Most urgent first"),
        [F("snapshot__urgency").desc(), F("snapshot__next_deadline").asc(nulls_last=True)],
    ),
    "deadline": (
        gettext_lazy("Next deadline"),
        [F("snapshot__next_deadline").asc(nulls_last=True)],
    ),
    "kz_left": (
        gettext_lazy("Fewest days left in Kazakhstan"),
        [F("snapshot__kz_days_left").asc()],
    ),
    "name": (gettext_lazy("Name"), []),
}


def filtered(request: HttpRequest):
    """The active travellers the dashboard lists for the request's filters, in its order, and
    the filters that are set (the dashboard's export lists the same)."""
    travellers = access.visible_travellers(request.user).active()
    status = request.GET.get("status", "")
    country = request.GET.get("country", "")
    query = request.GET.get("q", "").strip()
    listed = travellers.select_related("snapshot")
    if status in Status.values:
        listed = listed.filter(snapshot__status=status)
    if country in dict(COUNTRIES):
        listed = listed.filter(snapshot__location=country)
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = "urgency"
    listed = listed.search(query)
    ordered: AssessedFirst | QuerySet[Traveller] = (
        AssessedFirst(listed, SORTS[sort][1]) if SORTS[sort][1] else listed.order_by("name", "pk")
    )
    chosen = (("status", status), ("country", country), ("q", query))
    filters = {k: v for k, v in chosen if v}
    if sort != "urgency":
        filters["sort"] = sort
    return travellers, ordered, filters


class AssessedFirst:
    """The dashboard's travellers as one sequence for the paginator and the export: the
    assessed ones in `order`, then those not assessed yet, by name.

    One ORDER BY over the join with the snapshots sorts every traveller of the organisation
    on each request (the snapshot's fields are NULL for travellers without one); ordered on
    the snapshot alone, PostgreSQL reads a page through the snapshot's index instead.
    """

    def __init__(self, listed, order: list) -> None:
        self.listed = listed
        self.assessed = listed.filter(snapshot__isnull=False).order_by(*order, "name", "pk")
        self.unassessed = listed.filter(snapshot__isnull=True).order_by("name", "pk")
        self.total: int | None = None  # known already: not counted again

    def count(self) -> int:
        if self.total is None:
            self.total = self.listed.count()
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Traveller]:
        start, stop = window.start or 0, window.stop
        rows = list(self.assessed[start:stop])
        if len(rows) == stop - start:
            return rows
        # The assessed travellers end on this page or before it: the others start there.
        assessed = start + len(rows) if rows else self.assessed.count()
        return rows + list(self.unassessed[max(start - assessed, 0) : stop - assessed])

    def __iter__(self):
        yield from self.assessed
        yield from self.unassessed


def filter_choices(filters: dict) -> dict:
    """What the filter form shows: the filters set, and the choices of each."""
    return {
        "filters": filters,
        "status_choices": Status.choices,
        "country_choices": COUNTRIES,
        "sort_choices": [(key, label) for key, (label, _order) in SORTS.items()],
    }
