"""HR's trip files in: upload, a preview of every row, and the confirmation that saves them.

The upload is checked and kept as a preview (trips/files/import_preview.py); nothing is saved as
trips until HR confirms on the preview page. The templates to fill in come in both formats.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from trips import access
from trips.choices import Purpose, Status, VisaKind
from trips.files import exports, import_mapping, import_preview, imports
from trips.files import import_batches as import_batches_files
from trips.files import roster_import as roster_files
from trips.files import visa_import as visa_files
from trips.http import StaysiteRequest
from trips.views.exports import download

PREVIEW = "trips/import_preview.html"
TRIPS, VISAS, ROSTER = "trips", "visas", "travellers"
ROWS_PER_PAGE = 200
SHOWN = {
    "error": gettext_lazy("Refused"),
    "new": gettext_lazy("New"),
    "changed": gettext_lazy("Changed"),
    "present": gettext_lazy("Already saved"),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy(
            "One trip per row: employee number or email, country, entry, exit, purpose, host, "
            "address; a row near the top names the columns, in English, German or Russian. "
            "Dates as 2026-03-05 or 05.03.2026. CSV in any common encoding, with commas, "
            "semicolons or tabs."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
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
def trip_import(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    request.upload_handlers = [imports.ImportUploadHandler(request)]
    return _trip_import(request)


@csrf_protect
def _trip_import(request: StaysiteRequest, kind: str = TRIPS) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = _checked(request, upload, kind)
        except imports.FileRefused as refused:
            form.add_error("file", str(refused))
        else:
            if request.htmx:
                return HttpResponseClientRedirect(stored.get_absolute_url())
            return redirect(stored)
    template = "trips/import.html"
    context = {"form": form, "kind": kind}
    return render(request, f"{template}#upload" if request.htmx else template, context)


def _checked(request: StaysiteRequest, upload, kind: str):
    """The upload read and checked, kept as a preview; raises FileRefused."""
    today = timezone.localdate()
    kept = {"user": request.user, "file_name": upload.name, "on": today}
    travellers = access.visible_travellers(request.user)
    if kind in (VISAS, ROSTER):
        layout = visa_files.VISAS if kind == VISAS else roster_files.ROSTER
        reading = imports.read_file(upload.read(), layout=layout)
        if kind == VISAS:
            # The VISAS layout reads VisaRows (visa_files.parse_row).
            checked = visa_files.check(travellers, cast(list[visa_files.VisaRow], reading.rows))
        else:
            checked = roster_files.check(request.user.organisation, reading.rows)
        how = import_mapping.reading_of(
            reading.source, reading.header_line, reading.names, reading.columns
        )
        return import_preview.store(checked, reading={**how, "layout": kind}, **kept)
    try:
        reading = imports.read_file(
            upload.read(), learned=import_mapping.learned_names(request.user)
        )
    except imports.HeaderNotFound as unread:
        return import_mapping.store_unread(unread, **kept)
    checked = import_preview.check(travellers, reading.rows, on=today)
    return import_mapping.store_read(checked, reading, **kept)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def roster_import(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    request.upload_handlers = [imports.ImportUploadHandler(request)]
    return _trip_import(request, ROSTER)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def visa_import(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    request.upload_handlers = [imports.ImportUploadHandler(request)]
    return _trip_import(request, VISAS)


@require_GET
def import_preview_detail(request: StaysiteRequest, token: str) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    stored = get_object_or_404(access.visible_import_previews(request.user), token=token)
    show = request.GET.get("show", "")
    rows = [r for r in stored.rows if r["outcome"] == show] if show in SHOWN else stored.rows
    counts = {key: 0 for key in SHOWN}
    for row in stored.rows:
        counts[row["outcome"]] += 1
    counts["saving"] = counts["new"] + counts["changed"]
    changes = [
        {**c, "before_label": Status(c["before"]).label, "after_label": Status(c["after"]).label}
        for c in stored.changes
    ]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    visas = stored.reading.get("layout") == VISAS
    purposes = dict(VisaKind.choices if visas else Purpose.choices)
    page.object_list = [
        {**row, "purpose_label": purposes.get(row.get("purpose"), row.get("purpose", ""))}
        for row in page.object_list
    ]
    context = {
        "preview": stored,
        "visas": visas,
        "roster": stored.reading.get("layout") == ROSTER,
        "read": import_mapping.description(stored.reading),
        "ignored": import_mapping.ignored(stored.reading),
        "mapping": _mapping_context(stored),
        "changes": changes,
        "page": page,
        "show": show if show in SHOWN else "",
        "shown": SHOWN,
        "counts": counts,
    }
    return render(request, PREVIEW, context)


def _mapping_context(stored) -> dict | None:
    """The first lines with a field to choose for each column, while the file may be mapped."""
    if stored.saved_at is not None or not stored.lines:
        return None
    lines = import_mapping.shown_lines(stored)
    width = max((len(line["cells"]) for line in lines), default=0)
    columns = stored.reading.get("columns", {})
    return {
        "lines": lines,
        "header_line": stored.reading.get("header_line"),
        "columns": [{"index": i, "field": columns.get(str(i), "")} for i in range(width)],
        "fields": [(field, imports.column_label(field)) for field in imports.FIELDS],
        "open": bool(stored.reading.get("unread")),
        "create": bool(stored.reading.get("create")),
    }


@require_POST
def import_map(request: StaysiteRequest, token: str) -> HttpResponse:
    """Read the previewed file again with the header row and column fields the user chose."""
    access.require(access.can_exchange_trips(request.user))
    stored = get_object_or_404(access.visible_import_previews(request.user), token=token)
    columns = {}
    for key, field in request.POST.items():
        index = key.removeprefix("column-")
        if key.startswith("column-") and index.isdigit() and field in imports.FIELDS:
            columns[int(index)] = field
    header = request.POST.get("header_line", "")
    if "header_line" not in request.POST:  # only the options changed: the columns stay
        header = str(stored.reading.get("header_line", ""))
        columns = {int(i): field for i, field in stored.reading.get("columns", {}).items()}
    create = request.POST.get("create_travellers") == "on"
    try:
        import_mapping.remap(
            stored,
            access.visible_travellers(request.user),
            header_line=int(header) if header.isdigit() else 0,
            columns=columns,
            organisation_id=request.user.organisation_id,
            on=timezone.localdate(),
            create_in=request.user.organisation if create else None,
        )
    except import_mapping.MappingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The file was read again with the columns you chose."))
    if request.htmx:
        return HttpResponseClientRedirect(stored.get_absolute_url())
    return redirect(stored)


@require_POST
def import_confirm(request: StaysiteRequest, token: str) -> HttpResponse:
    access.require(access.can_exchange_trips(request.user))
    stored = get_object_or_404(access.visible_import_previews(request.user), token=token)
    travellers = access.visible_travellers(request.user)
    layout = stored.reading.get("layout", TRIPS)
    visas = layout == VISAS
    confirm = {VISAS: visa_files.confirm, ROSTER: roster_files.confirm}.get(
        layout, import_preview.confirm
    )
    try:
        saved = confirm(stored, travellers, on=timezone.localdate())
    except import_preview.PreviewOutdated as outdated:
        messages.error(request, str(outdated))
        target = stored.get_absolute_url()
    else:
        if layout != ROSTER:
            done = (
                ngettext("Imported %(count)d visa.", "Imported %(count)d visas.", saved)
                if visas
                else ngettext("Imported %(count)d trip.", "Imported %(count)d trips.", saved)
            )
            messages.success(request, done % {"count": saved})
        if stored.new_travellers:
            created = len(stored.new_travellers)
            messages.success(
                request,
                ngettext(
                    "Created %(count)d new traveller.", "Created %(count)d new travellers.", created
                )
                % {"count": created},
            )
        target = {VISAS: "trips:visa_import", ROSTER: "trips:roster_import"}.get(
            layout, "trips:trip_import"
        )
    if request.htmx:
        return HttpResponseClientRedirect(redirect(target).url)
    return redirect(target)


@require_GET
def import_batches(request: StaysiteRequest) -> HttpResponse:
    """The confirmed imports of the last days, each with what it created, to revert."""
    access.require(access.can_see_import_batches(request.user))
    batches = access.visible_import_batches(request.user)
    since = timezone.now() - timedelta(days=import_batches_files.REVERT_DAYS)
    shown = batches.filter(saved_at__gte=since).select_related("user", "reverted_by")
    rows = [
        {
            "batch": batch,
            "counts": {
                kind: len(batch.created.get(kind, [])) for kind in ("trips", "visas", "travellers")
            },
            "revertible": import_batches_files.revertible(batch),
            "kept": import_batches_files.reasons(batch),
        }
        for batch in shown.order_by("-saved_at")[:100]
    ]
    return render(request, "trips/import_batches.html", {"rows": rows})


@require_POST
def import_revert(request: StaysiteRequest, token: str) -> HttpResponse:
    batch = get_object_or_404(access.visible_import_batches(request.user), token=token)
    try:
        kept = import_batches_files.revert(batch, by=request.user, on=timezone.localdate())
    except import_batches_files.RevertRefused as refused:
        messages.error(request, str(refused))
    else:
        if kept:
            messages.warning(
                request,
                ngettext(
                    "The import was reverted; %(count)d record was kept, listed below.",
                    "The import was reverted; %(count)d records were kept, listed below.",
                    len(kept),
                )
                % {"count": len(kept)},
            )
        else:
            messages.success(request, _("The import was reverted: everything it created is gone."))
    return redirect("trips:import_batches")


@require_GET
def import_template(request: StaysiteRequest) -> HttpResponse:
    """The empty import file to fill in: ?format=xlsx or csv."""
    access.require(access.can_exchange_trips(request.user))
    return download(request, exports.template_table(), "staysite-trips-template")


@require_GET
def visa_template(request: StaysiteRequest) -> HttpResponse:
    """The empty visa file to fill in: ?format=xlsx or csv."""
    access.require(access.can_exchange_trips(request.user))
    return download(request, exports.visa_template_table(), "staysite-visas-template")


@require_GET
def roster_template(request: StaysiteRequest) -> HttpResponse:
    """The empty roster of travellers to fill in: ?format=xlsx or csv."""
    access.require(access.can_exchange_trips(request.user))
    return download(request, exports.roster_template_table(), "staysite-travellers-template")


urlpatterns = [
    path("trips/import/", trip_import, name="trip_import"),
    path("trips/import/template/", import_template, name="import_template"),
    path("trips/import/<str:token>/", import_preview_detail, name="import_preview"),
    path("trips/import/<str:token>/confirm/", import_confirm, name="import_confirm"),
    path("trips/import/<str:token>/columns/", import_map, name="import_map"),
    path("imports/", import_batches, name="import_batches"),
    path("imports/<str:token>/revert/", import_revert, name="import_revert"),
    path("visas/import/", visa_import, name="visa_import"),
    path("travellers/import/", roster_import, name="roster_import"),
    path("travellers/import/template/", roster_template, name="roster_template"),
    path("visas/import/template/", visa_template, name="visa_template"),
]
