"""The Django admin: platform staff manage organisations and users; everything is browsable.

Saves and deletes here bring the traveller's snapshot and alerts up to date as the HR pages do
(trips/evaluation/services.py), in the admin's own transaction; a saved organisation has its
travellers re-evaluated by the worker.
"""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from simple_history.admin import SimpleHistoryAdmin

from trips.evaluation import snapshots
from trips.evaluation.snapshots import traveller_changed
from trips.models import (
    AddressChange,
    DailyRun,
    Notification,
    Organisation,
    StatusSnapshot,
    Traveller,
    Trip,
    User,
    Visa,
)
from trips.upkeep import tasks


class RefreshesTraveller:
    """Every save and delete of a traveller's records refreshes that traveller (and, when a
    record moved to another traveller, the one it left)."""

    def traveller_of(self, obj) -> Traveller:
        return obj.traveller

    def save_model(self, request, obj, form, change):
        if change:
            before = type(obj)._base_manager.get(pk=obj.pk)
            form.traveller_before = self.traveller_of(before)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(form, "traveller_before", None)
        refresh({self.traveller_of(form.instance).pk, before and before.pk})

    def delete_model(self, request, obj):
        traveller = self.traveller_of(obj).pk
        super().delete_model(request, obj)
        refresh({traveller})

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            travellers = {self.traveller_of(obj).pk for obj in queryset}
            super().delete_queryset(request, queryset)
            refresh(travellers)


def refresh(traveller_pks: set) -> None:
    """`traveller_changed` for each traveller that still exists."""
    for traveller in Traveller.objects.filter(pk__in=traveller_pks - {None}).order_by("pk"):
        traveller_changed(traveller, on=timezone.localdate())


class RefreshesTripTraveller(RefreshesTraveller):
    def traveller_of(self, obj) -> Traveller:
        return obj.trip.traveller


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "allowance_warning_days", "stay_day_warning", "tax_window"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # New thresholds change the lights and alerts of every traveller: the worker's job.
        tasks.refresh_organisation.enqueue(obj.pk, timezone.localdate().isoformat())
        snapshots.organisation_changed(obj.pk)


@admin.register(User)
class StaysiteUserAdmin(UserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_demo", "is_active"]
    list_filter = ["role", "organisation", "is_demo", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    fieldsets = [
        *(UserAdmin.fieldsets or ()),
        (
            _("staysite"),
            {
                "fields": [
                    "organisation",
                    "role",
                    "language",
                    "is_demo",
                    "two_factor_setup_allowed_until",
                ]
            },
        ),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("staysite"), {"fields": ["organisation", "role", "language"]}),
    ]
    readonly_fields = ["two_factor_setup_allowed_until"]
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (set up again within a day)"))
    def reset_two_factor(self, request, queryset):
        # For a lost phone, or an account without email: the person's authenticator and
        # recovery codes go, and for a day they may set up a new app without an emailed link.
        until = timezone.now() + timedelta(days=1)
        for user in queryset:
            for device in devices_for_user(user, confirmed=None):
                device.delete()
        count = queryset.update(two_factor_setup_allowed_until=until)
        self.message_user(
            request,
            ngettext(
                "Two-factor login of %(count)d user was reset.",
                "Two-factor login of %(count)d users was reset.",
                count,
            )
            % {"count": count},
        )


class VisaInline(admin.TabularInline):
    model = Visa
    extra = 0
    fields = ["kind", "country", "number", "valid_from", "valid_until", "days_allowed"]


class TripInline(admin.TabularInline):
    model = Trip
    extra = 0
    fields = ["country", "entry", "exit", "purpose", "visa"]
    show_change_link = True


@admin.register(Traveller)
class TravellerAdmin(RefreshesTraveller, SimpleHistoryAdmin):
    list_display = ["name", "employee_number", "organisation", "citizenship", "active"]
    list_filter = ["organisation", "active", "citizenship"]
    search_fields = ["name", "employee_number", "email"]
    list_select_related = ["organisation"]
    raw_id_fields = ["user", "hr_owner"]
    inlines = [VisaInline, TripInline]

    def traveller_of(self, obj) -> Traveller:
        return obj


class AddressChangeInline(admin.TabularInline):
    model = AddressChange
    extra = 0


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0


@admin.register(Trip)
class TripAdmin(RefreshesTraveller, SimpleHistoryAdmin):
    list_display = ["traveller", "country", "entry", "exit", "purpose", "visa"]
    list_filter = ["country", "purpose", "traveller__organisation"]
    search_fields = ["traveller__name", "traveller__employee_number", "host", "address"]
    list_select_related = ["traveller", "visa"]
    date_hierarchy = "entry"
    raw_id_fields = ["traveller", "visa"]
    inlines = [AddressChangeInline, NotificationInline]


@admin.register(Visa)
class VisaAdmin(RefreshesTraveller, SimpleHistoryAdmin):
    list_display = ["traveller", "kind", "country", "number", "valid_from", "valid_until"]
    list_filter = ["kind", "country", "traveller__organisation"]
    search_fields = ["traveller__name", "traveller__employee_number", "number"]
    list_select_related = ["traveller"]
    raw_id_fields = ["traveller"]


@admin.register(AddressChange)
class AddressChangeAdmin(RefreshesTripTraveller, SimpleHistoryAdmin):
    list_display = ["trip", "changed_on", "new_address"]
    list_filter = ["trip__traveller__organisation"]
    search_fields = ["trip__traveller__name", "new_address"]
    list_select_related = ["trip"]
    raw_id_fields = ["trip"]


@admin.register(Notification)
class NotificationAdmin(RefreshesTripTraveller, SimpleHistoryAdmin):
    list_display = ["trip", "reason", "filed_on", "reference", "address"]
    list_filter = ["reason", "trip__traveller__organisation"]
    search_fields = ["trip__traveller__name", "reference", "address"]
    list_select_related = ["trip"]
    raw_id_fields = ["trip", "address_change"]


class ComputedAdmin(admin.ModelAdmin):
    """Rows staysite computes: shown, never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusSnapshot)
class StatusSnapshotAdmin(ComputedAdmin):
    """Computed by trips.evaluation.snapshots."""

    list_display = [
        "traveller",
        "status",
        "evaluated_on",
        "location",
        "kz_days_left",
        "next_deadline",
    ]
    list_filter = ["status", "evaluated_on", "traveller__organisation"]
    search_fields = ["traveller__name", "traveller__employee_number"]
    list_select_related = ["traveller"]


@admin.register(DailyRun)
class DailyRunAdmin(ComputedAdmin):
    """Recorded by trips.upkeep.daily: which days were run, when, and what each run did."""

    list_display = ["on", "claimed_at", "finished_at", "attempts", "summary"]
    date_hierarchy = "on"
