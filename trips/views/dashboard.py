"""The home page: the HR dashboard, or a traveller's own page.

The dashboard reads the status snapshots only, never the law row by row, so its number of
queries does not grow with the number of travellers; its live part is cached until the data
changes (trips/dashboard_cache.py).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import access, daily, dashboard_cache, wording
from ..countries import COUNTRIES, country_name
from ..models import Status, StatusSnapshot, Traveller

DASHBOARD = "trips/dashboard.html"
PAGE_SIZE = 50
# "Actions due this week": a next deadline within this many days from today.
DUE_SOON_DAYS = 7


# Orderings the dashboard offers, of the assessed travellers (those not assessed yet follow,
# by name, except when sorting by name); ties are broken by name. Urgency first by default.
# Each matches an index of the snapshot (trips/models.py), so a page is read in that order.
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


@dataclass
class Row:
    """One dashboard row: the traveller, their snapshot (None: not assessed yet) and what
    the template shows beyond the snapshot's own fields."""

    traveller: Traveller
    snapshot: StatusSnapshot | None
    deadline_to_go: str
    deadline_overdue: bool
    stay_day: str
    status_label: str
    location_name: str
    reason: str
    deadline_label: str


def row_for(traveller: Traveller, on: date) -> Row:
    snapshot = getattr(traveller, "snapshot", None)
    to_go, overdue, stay_day, status_label, location_name = "", False, "", "", ""
    reason = deadline_label = ""
    if snapshot is not None:
        reason, deadline_label = snapshot_words(snapshot)
        # Labels looked up once per page: get_FOO_display() would hash every lazy choice.
        status_label = Status(snapshot.status).label
        location_name = country_name(snapshot.location)
        if snapshot.next_deadline is not None:
            delta = (snapshot.next_deadline - on).days
            overdue = delta < 0
            if delta == 0:
                to_go = _("today")
            elif delta < 0:
                to_go = ngettext("%(n)d day overdue", "%(n)d days overdue", -delta) % {"n": -delta}
            else:
                to_go = ngettext("in %(n)d day", "in %(n)d days", delta) % {"n": delta}
        if snapshot.stay_day is not None:
            if snapshot.stay_cap:
                stay_day = _("day %(day)d of %(cap)d") % {
                    "day": snapshot.stay_day,
                    "cap": snapshot.stay_cap,
                }
            else:
                stay_day = _("day %(day)d") % {"day": snapshot.stay_day}
    return Row(
        traveller,
        snapshot,
        to_go,
        overdue,
        stay_day,
        status_label,
        location_name,
        reason,
        deadline_label,
    )


def snapshot_words(snapshot: StatusSnapshot) -> tuple[str, str]:
    """The snapshot's reason and deadline in the reader's language (the stored text is in the
    language of whoever refreshed it; snapshots from before the kinds were kept fall back)."""
    if snapshot.reason_kind:
        reason = wording.describe(snapshot.reason_kind, snapshot.reason_params)
    elif snapshot.status == Status.OK:
        reason = _("Within every limit.")
    else:
        reason = snapshot.reason
    if snapshot.next_deadline_kind:
        label = wording.describe(snapshot.next_deadline_kind, snapshot.next_deadline_params)
    else:
        label = snapshot.next_deadline_label
    return reason, label


def summary_counts(travellers, on: date) -> dict:
    """Overstays, actions due this week, approaching limits, and the day of the oldest figure
    shown: one aggregate query."""
    week_end = on + timedelta(days=DUE_SOON_DAYS)
    return travellers.aggregate(
        total=Count("pk"),
        overstays=Count("pk", filter=Q(snapshot__status=Status.OVERSTAY)),
        due_this_week=Count(
            "pk",
            filter=Q(snapshot__next_deadline__lte=week_end)
            & Q(snapshot__status__in=[Status.ACTION, Status.OVERSTAY]),
        ),
        approaching=Count("pk", filter=Q(snapshot__status=Status.ATTENTION)),
        not_assessed=Count("pk", filter=Q(snapshot__isnull=True)),
        # The oldest day a shown figure was computed for: what "as of" can promise.
        as_of=Min("snapshot__evaluated_on"),
    )


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
    listed = (
        AssessedFirst(listed, SORTS[sort][1]) if SORTS[sort][1] else listed.order_by("name", "pk")
    )
    chosen = (("status", status), ("country", country), ("q", query))
    filters = {k: v for k, v in chosen if v}
    if sort != "urgency":
        filters["sort"] = sort
    return travellers, listed, filters


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


def dashboard_rows(request: HttpRequest, on: date) -> dict:
    travellers, listed, filters = filtered(request)
    counts = summary_counts(travellers, on)
    if isinstance(listed, AssessedFirst) and not filters.keys() - {"sort"}:
        listed.total = counts["total"]  # every active traveller: the summary has counted them
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    as_of = counts.pop("as_of") or on
    # Whether today's run is under way is asked only when the figures are older than today.
    updating = as_of < on and request.freshness.updating
    return {
        "page": page,
        "rows": [row_for(t, on) for t in page.object_list],
        "counts": counts,
        "freshness": daily.Freshness(on, as_of, updating=updating),
        **filter_choices(filters),
        "query_string": urlencode(filters),
        "page_query": urlencode({**filters, "page": page.number}),
        "poll_seconds": settings.STAYSITE_DASHBOARD_POLL_SECONDS,
        "today": on,
        "due_soon_days": DUE_SOON_DAYS,
    }


def filter_choices(filters: dict) -> dict:
    """What the filter form shows: the filters set, and the choices of each."""
    return {
        "filters": filters,
        "status_choices": Status.choices,
        "country_choices": COUNTRIES,
        "sort_choices": [(key, label) for key, (label, _order) in SORTS.items()],
    }


@require_GET
@vary_on_headers("HX-Request")
def home(request: HttpRequest) -> HttpResponse:
    if access.is_traveller(request.user):
        return redirect("trips:me")
    if request.htmx:
        return live_response(request)
    _travellers, _listed, filters = filtered(request)
    live_html = live_fragment(request)
    return render(request, DASHBOARD, {**filter_choices(filters), "live_html": live_html})


def live_response(request: HttpRequest) -> HttpResponse:
    """The live part alone, as htmx polls it. HR's carries an ETag of its cache key and must
    be revalidated each time (no-cache): the browser's next poll sends If-None-Match, and
    while nothing has changed it is answered 304 without the fragment being read or sent."""
    if not access.is_hr(request.user):
        return HttpResponse(live(request))
    key = live_key(request)
    response = HttpResponse()
    response["ETag"] = dashboard_cache.etag(key)
    patch_cache_control(response, private=True, no_cache=True)
    answer = get_conditional_response(request, etag=response["ETag"], response=response)
    if answer is response:
        response.content = dashboard_cache.cached(key, lambda: live(request))
    return answer


def live_fragment(request: HttpRequest) -> str:
    """The dashboard's live part in the page: HR's from the cache until the organisation's
    data or the day changes (trips/dashboard_cache.py)."""
    if access.is_hr(request.user):
        return dashboard_cache.cached(live_key(request), lambda: live(request))
    return live(request)


def live_key(request: HttpRequest) -> str:
    """What the live fragment of HR's dashboard depends on (trips/dashboard_cache.py)."""
    # Whether today's run is under way shows in the fragment when the figures are older.
    updating = request.freshness.stale and request.freshness.updating
    return dashboard_cache.fragment_key(request, request.user.organisation_id, updating=updating)


def live(request: HttpRequest) -> str:
    context = dashboard_rows(request, timezone.localdate())
    return render_to_string(f"{DASHBOARD}#live", context, request)


@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """A traveller's own page: the traveller page of their own record, and nothing else."""
    traveller = access.own_traveller(request.user)
    if traveller is not None:
        return redirect(traveller)
    if access.is_traveller(request.user):
        # Not linked to a traveller record yet: say so rather than bounce back to home.
        return render(request, "trips/dashboard_unlinked.html")
    return redirect("trips:home")


urlpatterns = [
    path("", home, name="home"),
    path("me/", me, name="me"),
]
