"""HR's data out: the trips and the dashboard as CSV or Excel, and the printable report."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trips import access
from trips.choices import Status
from trips.dashboard.listing import filtered
from trips.dashboard.rows import row_for
from trips.evaluation.details import TIMELINE_DAYS, status_details
from trips.evaluation.findings import evaluate
from trips.files import exports
from trips.http import StaysiteRequest
from trips.words import presenters

FORMATS = {"csv", "xlsx"}


def download(request: StaysiteRequest, table: exports.Table, name: str) -> HttpResponse:
    """`table` as an attachment: ?format=xlsx for Excel, CSV otherwise."""
    day = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        content, content_type, suffix = exports.as_xlsx(table), exports.XLSX_TYPE, "xlsx"
    else:
        content, content_type, suffix = exports.as_csv(table), exports.CSV_TYPE, "csv"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{day}.{suffix}"'
    return response


@require_GET
def trip_export(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    table = exports.trips_table(access.visible_travellers(request.user))
    return download(request, table, "staysite-trips")


@require_GET
def dashboard_export(request: StaysiteRequest) -> HttpResponse:
    """The dashboard as filtered and sorted on screen, every page of it."""
    access.require(access.can_manage_travellers(request.user))
    today = timezone.localdate()
    _travellers, listed, _filters = filtered(request)
    header = [
        _("Status"),
        _("Reason"),
        _("Traveller"),
        _("Employee number"),
        _("Where now"),
        _("Since"),
        _("Kazakhstan: days used"),
        _("Kazakhstan: days left"),
        _("Schengen: days used"),
        _("Schengen: days left"),
        _("Latest legal exit"),
        _("Next deadline"),
        _("Deadline"),
        _("Tax days (12 months)"),
    ]
    rows = []
    for traveller in listed:
        row = row_for(traveller, today)
        s = row.snapshot
        rows.append(
            [
                row.status_label or _("Not assessed yet"),
                row.reason,
                traveller.name,
                traveller.employee_number,
                row.location_name,
                s.location_since if s else None,
                s.kz_days_used if s else None,
                s.kz_days_left if s else None,
                s.schengen_days_used if s else None,
                s.schengen_days_left if s else None,
                s.latest_legal_exit if s else None,
                s.next_deadline if s else None,
                row.deadline_label,
                s.tax_days if s else None,
            ]
        )
    table = exports.Table(_("Dashboard"), header, rows)
    return download(request, table, "staysite-dashboard")


@require_GET
def traveller_report(request: StaysiteRequest, pk: int) -> HttpResponse:
    """One printable page about a traveller, for the traveller or an auditor."""
    traveller = access.get_visible_traveller(request.user, pk)
    today = timezone.localdate()
    details = status_details(evaluate(traveller, on=today))
    cards = presenters.status_cards(details, today)
    starts = [regime.explanation.window_start for regime in details.regimes]
    # Without a rule set counting the trips, the last days the timeline would show.
    window_start = min(starts) if starts else today - timedelta(days=TIMELINE_DAYS)
    trips = (
        traveller.trips.overlapping(window_start, today)
        .order_by("entry", "pk")
        .prefetch_related("evidence")
    )
    sources = [card.source for card in cards["regimes"]]
    sources += [visa["source"] for visa in cards["visas"]]
    sources += [cards[key]["source"] for key in ("tax", "montage") if cards[key]]
    sources += [f.source for f in details.status.findings]
    context = {
        "traveller": traveller,
        "today": today,
        "status": details.status,
        "ok": details.status.status == Status.OK,
        "cards": cards,
        "window_start": window_start,
        "trips": trips,
        "sources": sorted({source for source in sources if source}),
        "made_at": timezone.localtime(),
    }
    return render(request, "trips/traveller_report.html", context)


urlpatterns = [
    path("trips/export/", trip_export, name="trip_export"),
    path("dashboard/export/", dashboard_export, name="dashboard_export"),
    path("travellers/<int:pk>/report/", traveller_report, name="traveller_report"),
]
