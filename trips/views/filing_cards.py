"""Which trips' address changes and eQonaq notifications the traveller page shows.

A long history would show a card per trip in Kazakhstan; the page shows the trips whose
filings may still matter and leaves the earlier ones behind a link.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest

from .. import stays
from ..models import Trip


def filing_cards(request: HttpRequest, trips: list[Trip], *, on: date) -> dict:
    """The trips whose eQonaq filings the page shows, and how many earlier ones it leaves out.

    eQonaq is Kazakhstan's; other trips show only if something was recorded. Trips over
    before the eQonaq lookback wait behind a link (a long history would otherwise show a
    card per trip), unless the page asked for all (`?filings=all`, kept across its htmx
    swaps) or the request changes that trip's filings.
    """
    filed = [
        t for t in trips if t.country == "KZ" or t.address_changes.all() or t.notifications.all()
    ]
    if asks_all_filings(request):
        return {"eqonaq_trips": filed, "earlier_eqonaq_trips": 0}
    changing = request.resolver_match.kwargs.get("trip_pk") if request.resolver_match else None
    shown = [t for t in filed if t.pk == changing or stays.filings_may_matter(t, on=on)]
    return {"eqonaq_trips": shown, "earlier_eqonaq_trips": len(filed) - len(shown)}


def asks_all_filings(request: HttpRequest) -> bool:
    """`?filings=all` on the page, or on the page an htmx swap lands on."""
    if request.GET.get("filings") == "all":
        return True
    current = request.htmx.current_url if request.htmx else None
    return bool(current) and parse_qs(urlsplit(current).query).get("filings") == ["all"]
