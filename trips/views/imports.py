"""HR's trip lists: import trips from a CSV file, export the organisation's trips as CSV."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, imports


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: employee_number, country, entry, exit, purpose, host, address. "
            "Dates as 2026-03-05."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
        except imports.FileRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


# CSRF is checked below, after the upload handler is set: the CSRF middleware would
# otherwise read the upload with Django's default handlers (Django's docs, "File Uploads").
@csrf_exempt
@require_http_methods(["GET", "POST"])
def trip_import(request: HttpRequest) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    request.upload_handlers = [imports.ImportUploadHandler(request)]
    return _trip_import(request)


@csrf_protect
def _trip_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        result = imports.import_trips(
            access.visible_travellers(request.user),
            form.cleaned_data["file"].read(),
            on=timezone.localdate(),
        )
        if not result.errors:
            messages.success(
                request,
                ngettext("Imported %(count)d trip.", "Imported %(count)d trips.", result.created)
                % {"count": result.created},
            )
            return redirect("trips:trip_import")
        errors = result.errors
    return render(request, "trips/import.html", {"form": form, "errors": errors})


@require_GET
def trip_export(request: HttpRequest) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    content = imports.export_trips(access.visible_travellers(request.user))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="staysite-trips-{day}.csv"'
    return response


urlpatterns = [
    path("trips/import/", trip_import, name="trip_import"),
    path("trips/export/", trip_export, name="trip_export"),
]
