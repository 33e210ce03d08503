"""The installable web app's service worker, from our own static files, at the site's root so
that its scope covers every page (a script under /static/ would only control /static/)."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

SCRIPT = "js/service-worker.js"


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    # The source file where the static files are found (development, tests), else the
    # collected copy (production).
    found = finders.find(SCRIPT)
    with open(found, "rb") if found else staticfiles_storage.open(SCRIPT) as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [path("service-worker.js", service_worker, name="service_worker")]
