"""The private calendar feed: its page (make, replace, revoke) and the feed itself.

The feed is fetched by calendar programs, which cannot log in: its secret token is the only
credential. That view reads no session and sets no cookie, and answers 404 alike to a wrong
token, a revoked one, and an owner who may no longer have a feed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from trips import access
from trips.accounts import links
from trips.files import feeds
from trips.http import StaysiteRequest
from trips.models import CalendarFeed

PAGE = "trips/calendar_feed.html"


def page_context(request: StaysiteRequest, token: str = "") -> dict:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context: dict[str, Any] = {"feed": feed, "feed_url": "", "most_days": feeds.MAX_REMINDER_DAYS}
    if token:
        context["feed_url"] = request.build_absolute_uri(reverse("trips:feed_ics", args=[token]))
        # Calendar programs subscribe (and keep refreshing) on a webcal:// link.
        context["webcal_url"] = "webcal://" + context["feed_url"].split("://", 1)[1]
    return context


@require_GET
def feed_detail(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_have_calendar_feed(request.user))
    return render(request, PAGE, page_context(request))


@require_POST
def feed_create(request: StaysiteRequest) -> HttpResponse:
    """A new address, shown once on this response: only its hash is kept."""
    access.require(access.can_have_calendar_feed(request.user))
    token = feeds.issue(request.user)
    response = render(request, PAGE, page_context(request, token))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def feed_revoke(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_have_calendar_feed(request.user))
    if feeds.revoke(request.user):
        messages.success(request, _("The calendar address was revoked; it no longer works."))
    return redirect("trips:feed_detail")


@require_POST
def feed_reminder(request: StaysiteRequest) -> HttpResponse:
    """The reminder's lead time, in days before each latest legal exit and deadline."""
    access.require(access.can_have_calendar_feed(request.user))
    given = request.POST.get("reminder_days", "")
    if not given.isdigit() or int(given) > feeds.MAX_REMINDER_DAYS:
        messages.error(
            request,
            _("Give the reminder in whole days, from 0 (none) to %(most)d.")
            % {"most": feeds.MAX_REMINDER_DAYS},
        )
    else:
        feeds.set_reminder(request.user, int(given))
        messages.success(
            request, _("The calendar now reminds %(days)s days before.") % {"days": given}
        )
    return redirect("trips:feed_detail")


@login_not_required
@never_cache
@require_GET
def feed_ics(request: StaysiteRequest, token: str) -> HttpResponse:
    owner = feeds.owner(token)
    if owner is None or not access.can_have_calendar_feed(owner):
        # Plain text: the site's 404 page would read the session and set a CSRF cookie.
        return HttpResponseNotFound("No such calendar.\n", content_type="text/plain")
    travellers = access.visible_travellers(owner)
    # The address this request came to in development (any port), STAYSITE_BASE_URL else.
    base = links.base_url(request)
    content = feeds.calendar(owner, travellers, on=timezone.localdate(), base_url=base)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="staysite.ics"'
    return response


urlpatterns = [
    path("calendar/", feed_detail, name="feed_detail"),
    path("calendar/new/", feed_create, name="feed_create"),
    path("calendar/revoke/", feed_revoke, name="feed_revoke"),
    path("calendar/reminder/", feed_reminder, name="feed_reminder"),
    path("calendar/<str:token>.ics", feed_ics, name="feed_ics"),
]
