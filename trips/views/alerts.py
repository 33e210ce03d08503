"""The compliance review queue: list, detail, acknowledge, assign, resolve.

The API (trips/api/alerts.py) works the same queue with the same forms (trips/forms.py).
"""

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from trips import access
from trips.evaluation import alert_queue
from trips.forms import AlertFilterForm, AssignForm, ResolveForm
from trips.http import StaysiteRequest
from trips.models import Alert, EmailDelivery

PAGE_SIZE = 25
ROW = "trips/alert_list.html#alert-row"


@require_GET
@vary_on_headers("HX-Request")
def alert_list(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    filters = AlertFilterForm(request.GET)
    alerts = filters.filter(access.visible_alerts(request.user))
    alerts = alerts.select_related("traveller", "assigned_to").by_urgency()
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "trips/alert_list.html",
        {
            "filters": filters,
            "page": page,
            "filtered": any(key != "page" for key in request.GET),
            "assignees": access.alert_assignees(request.user),
            "freshness": request.freshness,
        },
    )


@require_GET
def alert_detail(request: StaysiteRequest, pk: int) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    alert = access.get_visible_alert(request.user, pk)
    return _detail(request, alert)


def _detail(request: StaysiteRequest, alert: Alert, **forms_) -> HttpResponse:
    return render(
        request,
        "trips/alert_detail.html",
        {
            "alert": alert,
            "events": alert.events.select_related("actor"),
            "deliveries": alert.deliveries.all(),
            "max_attempts": EmailDelivery.MAX_ATTEMPTS,
            "assignees": access.alert_assignees(request.user),
            "errors": {name: form.errors for name, form in forms_.items()},
            "freshness": request.freshness,
        },
    )


@require_POST
def alert_acknowledge(request: StaysiteRequest, pk: int) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    with transaction.atomic():
        alert = _locked(request, pk)
        alert.acknowledge(by=request.user)
    return _done(request, alert)


@require_POST
def alert_assign(request: StaysiteRequest, pk: int) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    form = AssignForm(request.POST, assignees=access.alert_assignees(request.user))
    with transaction.atomic():
        alert = _locked(request, pk)
        if not alert.is_active:
            return _done(request, alert)  # resolved or closed meanwhile: nothing to assign
        if not form.is_valid():
            return _invalid(request, alert, assign=form)
        alert.assign(form.cleaned_data["assignee"], by=request.user)
    return _done(request, alert)


@require_POST
def alert_resolve(request: StaysiteRequest, pk: int) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    form = ResolveForm(request.POST)
    with transaction.atomic():
        alert = _locked(request, pk)
        if not alert.is_active:
            return _done(request, alert)  # resolved or closed meanwhile: nothing to resolve
        if not form.is_valid():
            return _invalid(request, alert, resolve=form)
        alert_queue.resolve(alert, form.cleaned_data["note"], by=request.user)
    return _done(request, alert)


@require_GET
def alert_badge(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    return render(request, "trips/alert_badge.html#badge-link")


def _locked(request: StaysiteRequest, pk: int) -> Alert:
    access.get_visible_alert(request.user, pk)  # 404 for anyone else's alert
    return Alert.objects.select_for_update().select_related("traveller").get(pk=pk)


def _row(request: StaysiteRequest, alert: Alert, **context) -> HttpResponse:
    alert = Alert.objects.select_related("traveller", "assigned_to").get(pk=alert.pk)
    context |= {"alert": alert, "assignees": access.alert_assignees(request.user)}
    return render(request, ROW, context)


def _done(request: StaysiteRequest, alert: Alert) -> HttpResponse:
    if request.htmx:
        return trigger_client_event(_row(request, alert), "alerts-changed")
    target = request.POST.get("next", "")
    # Only a path of this site; redirect() would also take a view's name, and fail on a bad one.
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    if not (safe and target.startswith("/")):
        target = reverse("trips:alert_detail", args=[alert.pk])
    return HttpResponseRedirect(target)


def _invalid(request: StaysiteRequest, alert: Alert, **forms_) -> HttpResponse:
    errors = {name: form.errors for name, form in forms_.items()}
    if request.htmx:
        return _row(request, alert, errors=errors)  # 200: htmx swaps it
    return _detail(request, alert, **forms_)


urlpatterns = [
    path("alerts/", alert_list, name="alert_list"),
    path("alerts/badge/", alert_badge, name="alert_badge"),
    path("alerts/<int:pk>/", alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/assign/", alert_assign, name="alert_assign"),
    path("alerts/<int:pk>/resolve/", alert_resolve, name="alert_resolve"),
]
