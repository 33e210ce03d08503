"""Proof files: attached by whoever may change the trip, visa or notification, and served only
here, to those who may see the traveller (anyone else's file is a 404). A PDF is always a
download, never shown in the page; every file is sent with `nosniff` and a sandbox policy.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trips import access
from trips.files import evidence as evidence_files
from trips.forms import EvidenceForm
from trips.models import Evidence, Traveller


def subjects(user, traveller: Traveller) -> dict[str, tuple[str, dict]]:
    """What `user` may attach proof to, as form choices: value -> the Evidence field."""
    found: dict[str, tuple[str, dict]] = {}
    for trip in traveller.trips.all():
        if access.can_attach_evidence(user, trip):
            found[f"trip:{trip.pk}"] = (_("Trip %(trip)s") % {"trip": trip}, {"trip": trip})
    for visa in traveller.visas.all():
        if access.can_attach_evidence(user, visa):
            found[f"visa:{visa.pk}"] = (str(visa), {"visa": visa})
    for trip in traveller.trips.prefetch_related("notifications"):
        for notification in trip.notifications.all():
            if access.can_attach_evidence(user, notification):
                label = _("eQonaq notification %(n)s") % {"n": notification}
                found[f"notification:{notification.pk}"] = (label, {"notification": notification})
    return found


@require_http_methods(["GET", "POST"])
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    choices = subjects(request.user, traveller)
    access.require(bool(choices))
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        subjects=[(value, label) for value, (label, _f) in choices.items()],
        initial={"subject": request.GET.get("subject", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            checked = evidence_files.check(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            evidence_files.store(
                checked,
                traveller=traveller,
                subject=choices[form.cleaned_data["subject"]][1],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
            messages.success(request, _("Proof attached."))
            return redirect(traveller)
    context = {"traveller": traveller, "form": form, "today": timezone.localdate()}
    return render(request, "trips/evidence_form.html", context)


def _evidence(request: HttpRequest, pk: int, evidence_pk: int) -> Evidence:
    traveller = access.get_visible_traveller(request.user, pk)
    return get_object_or_404(Evidence, traveller=traveller, pk=evidence_pk)


def _sealed[R: HttpResponseBase](response: R) -> R:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    evidence = _evidence(request, pk, evidence_pk)
    name = f"{evidence.kind}-{evidence.sha256[:12]}.{(evidence.file.name or '').rsplit('.', 1)[-1]}"
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=evidence.is_pdf,  # a PDF is a download, never shown in the page
        filename=name,
        content_type=evidence.content_type,
    )
    return _sealed(response)


@require_GET
def evidence_thumbnail(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    evidence = _evidence(request, pk, evidence_pk)
    if not evidence.thumbnail:
        raise Http404("No thumbnail.")
    return _sealed(FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg"))


EVIDENCE = "travellers/<int:pk>/evidence/"

urlpatterns = [
    path(f"{EVIDENCE}new/", evidence_upload, name="evidence_upload"),
    path(f"{EVIDENCE}<int:evidence_pk>/", evidence_file, name="evidence_file"),
    path(f"{EVIDENCE}<int:evidence_pk>/thumbnail/", evidence_thumbnail, name="evidence_thumbnail"),
]
