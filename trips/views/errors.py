"""Error pages in the site's own look."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

# Long enough for a database restart or failover; browsers and proxies may retry after it.
RETRY_AFTER_SECONDS = 30


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """A 503 when the database is unreachable or timed out (the request's transaction rolled
    back, so nothing half-saved stays behind, and the next request connects afresh); a 500
    otherwise. Either page renders without request context: a template tag that failed, or
    the database, may be why we are here."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
