"""What the traveller page shows of a long history: the latest trips, and the trips whose
address changes and eQonaq notifications may still matter; the rest waits behind a link each.

A traveller with hundreds of trips would otherwise get a row per trip and a card per trip in
Kazakhstan on every visit. A link's choice (`?trips=all`, `?filings=all`) is kept across the
page's htmx swaps, and the trip a request changes stays in view whatever the page shows.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.http import HttpRequest

from trips.evaluation import stays
from trips.models import AddressChange, Notification, Traveller, Trip

# The trips the table lists before "Show N earlier trips": newest first, so the planned and
# current ones always lead.
LATEST_TRIPS = 20


def trips_of(traveller: Traveller) -> list[Trip]:
    """The traveller's trips, newest first, with their visas and whether any address change or
    notification was recorded (`filed`); `read_filings()` reads the filings that are needed."""
    filed = Exists(Notification.objects.filter(trip=OuterRef("pk"))) | Exists(
        AddressChange.objects.filter(trip=OuterRef("pk"))
    )
    trips = traveller.trips.select_related("visa").annotate(filed=filed)
    return list(trips.order_by("-entry", "-pk"))


def read_filings(trips: list[Trip], cards: list[Trip], *, on: date) -> None:
    """The filings of the trips whose cards the page shows, and of the trips whose filings may
    still matter (what the findings read), in a constant number of queries."""
    needed = {t.pk for t in cards} | {t.pk for t in trips if stays.filings_may_matter(t, on=on)}
    prefetch_related_objects([t for t in trips if t.pk in needed], *stays.filings())


def trips_listed(request: HttpRequest, trips: list[Trip]) -> tuple[list[Trip], int]:
    """The trips the table lists, of `trips` newest first, and how many earlier ones it
    leaves out: the LATEST_TRIPS latest and the one the request changes, or all on `?trips=all`.
    """
    if asks_all(request, "trips"):
        return trips, 0
    changing = _changing_trip(request)
    listed = [t for i, t in enumerate(trips) if i < LATEST_TRIPS or t.pk == changing]
    return listed, len(trips) - len(listed)


def filing_cards(request: HttpRequest, trips: list[Trip], *, on: date) -> dict:
    """The trips whose eQonaq filings the page shows, and how many earlier ones it leaves out,
    of `trips_of()`.

    eQonaq is Kazakhstan's; other trips show only if something was recorded. Trips over
    before the eQonaq lookback wait behind a link (a long history would otherwise show a
    card per trip), unless the page asked for all (`?filings=all`) or the request changes
    that trip's filings.
    """
    # `filed` is annotated by trips_of().
    filed = [t for t in trips if t.country == "KZ" or getattr(t, "filed", False)]
    if asks_all(request, "filings"):
        return {"eqonaq_trips": filed, "earlier_eqonaq_trips": 0}
    changing = _changing_trip(request)
    shown = [t for t in filed if t.pk == changing or stays.filings_may_matter(t, on=on)]
    return {"eqonaq_trips": shown, "earlier_eqonaq_trips": len(filed) - len(shown)}


def show_all_urls(request: HttpRequest, traveller: Traveller) -> dict:
    """The page's address with every trip listed, and with every trip's filings shown: each
    keeps the other choice as the page has it."""
    chosen = {name: "all" for name in ("trips", "filings") if asks_all(request, name)}
    page = traveller.get_absolute_url()
    return {
        "all_trips_url": f"{page}?{urlencode(chosen | {'trips': 'all'})}",
        "all_filings_url": f"{page}?{urlencode(chosen | {'filings': 'all'})}",
    }


def asks_all(request: HttpRequest, name: str) -> bool:
    """`?<name>=all` on the page, or on the page an htmx swap lands on."""
    if request.GET.get(name) == "all":
        return True
    htmx = getattr(request, "htmx", None)  # django-htmx's middleware
    current: str | None = htmx.current_url if htmx else None
    return current is not None and parse_qs(urlsplit(current).query).get(name) == ["all"]


def _changing_trip(request: HttpRequest) -> int | None:
    return request.resolver_match.kwargs.get("trip_pk") if request.resolver_match else None
