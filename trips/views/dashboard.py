"""The home page: the HR dashboard, or a traveller's own page.

The dashboard reads the status snapshots only, never the law row by row, so its number of
queries does not grow with the number of travellers; its live part is cached until the data
changes (trips/dashboard/fragments.py).
"""

from datetime import date

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from trips import access
from trips.dashboard import fragments
from trips.dashboard.counts import DUE_SOON_DAYS, summary_counts
from trips.dashboard.listing import AssessedFirst, filter_choices, filtered
from trips.dashboard.rows import row_for
from trips.http import StaysiteRequest
from trips.upkeep import daily

DASHBOARD = "trips/dashboard.html"
PAGE_SIZE = 50


def dashboard_rows(request: StaysiteRequest, on: date) -> dict:
    _travellers, listed, filters = filtered(request)
    counts = summary_counts(access.managed_organisation_id(request.user), on)
    if isinstance(listed, AssessedFirst) and not filters.keys() - {"sort"}:
        listed.total = counts["total"]  # every active traveller: the summary has counted them
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    as_of = counts.pop("as_of")
    # Whether today's run is under way is asked only when the figures are older than today.
    updating = as_of < on and request.freshness.updating
    return {
        "page": page,
        "rows": [row_for(t, on) for t in page.object_list],
        "counts": counts,
        "freshness": daily.Freshness(on, as_of, updating=updating),
        **filter_choices(filters),
        "poll_seconds": settings.STAYSITE_DASHBOARD_POLL_SECONDS,
        "today": on,
        "due_soon_days": DUE_SOON_DAYS,
    }


@require_GET
@vary_on_headers("HX-Request")
def home(request: StaysiteRequest) -> HttpResponse:
    if access.is_traveller(request.user):
        return redirect("trips:me")
    if request.htmx:
        return live_response(request)
    _travellers, _listed, filters = filtered(request)
    live_html = live_fragment(request)
    return render(request, DASHBOARD, {**filter_choices(filters), "live_html": live_html})


def live_response(request: StaysiteRequest) -> HttpResponse:
    """The live part alone, as htmx polls it. HR's carries an ETag of its cache key and must
    be revalidated each time (no-cache): the browser's next poll sends If-None-Match, and
    while nothing has changed it is answered 304 without the fragment being read or sent."""
    if not access.is_hr(request.user):
        return HttpResponse(live(request))
    key = live_key(request)
    response = HttpResponse()
    response["ETag"] = fragments.etag(key)
    patch_cache_control(response, private=True, no_cache=True)
    answer = get_conditional_response(request, etag=response["ETag"], response=response)
    assert answer is not None  # given a response, Django answers with it or with a 304
    if answer is response:
        response.content = fragments.cached(key, lambda: live(request))
    return answer


def live_fragment(request: StaysiteRequest) -> str:
    """The dashboard's live part in the page: HR's from the cache until the organisation's
    data or the day changes (trips/dashboard/fragments.py)."""
    if access.is_hr(request.user):
        return fragments.cached(live_key(request), lambda: live(request))
    return live(request)


def live_key(request: StaysiteRequest) -> str:
    """What the live fragment of HR's dashboard depends on (trips/dashboard/fragments.py)."""
    # Whether today's run is under way shows in the fragment when the figures are older.
    updating = request.freshness.stale and request.freshness.updating
    organisation_id = access.own_organisation_id(request.user)
    return fragments.fragment_key(request, organisation_id, updating=updating)


def live(request: StaysiteRequest) -> str:
    context = dashboard_rows(request, timezone.localdate())
    return render_to_string(f"{DASHBOARD}#live", context, request)


@require_GET
def me(request: StaysiteRequest) -> HttpResponse:
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
