"""Travellers, their trips, visas and eQonaq notifications, and the status snapshot lists show.

Invariants live in the database (constraints below, and the PostgreSQL exclusion constraint on
trip dates in migration 0002); `clean()` adds what a constraint cannot say on SQLite, with the
same words, so that forms and the database refuse the same things.
"""

from __future__ import annotations

import math
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import dates
from .choices import STATUS_URGENCY, AlertKind, Status, VisaKind, visa_name
from .countries import COUNTRIES, country_name


class Organisation(models.Model):
    """A company; every record belongs to exactly one, and nothing crosses organisations."""

    class TaxWindow(models.TextChoices):
        TWELVE_MONTHS = "12_months", _("any 12 months (sliding)")
        DAYS_365 = "365_days", _("the last 365 days")

    class MontageYear(models.TextChoices):
        CALENDAR = "calendar", _("calendar year")
        ROLLING_365 = "rolling_365", _("the last 365 days")
        VISA_YEAR = "visa_year", _("the year of the B2 visa")

    name = models.CharField(_("name"), max_length=200, unique=True)
    # Alert thresholds; the defaults are docs/rules.md's (a warning well before each limit).
    allowance_warning_days = models.PositiveSmallIntegerField(
        _("warn when the 90/180 allowance is down to (days)"), default=10
    )
    stay_day_warning = models.PositiveSmallIntegerField(
        _("warn on this day of a 30-day visa-free stay"), default=25
    )
    exit_warning_days = models.PositiveSmallIntegerField(
        _("warn when the latest legal exit is within (days)"), default=5
    )
    visa_expiry_warning_days = models.PositiveSmallIntegerField(
        _("warn when a visa a stay depends on expires within (days)"), default=30
    )
    montage_warning_days = models.PositiveSmallIntegerField(
        _("warn at this many Montage days in the year"), default=100
    )
    tax_warning_days = models.PositiveSmallIntegerField(
        _("warn at this many tax days in 12 months"), default=150
    )
    # Rule parameters an admin may change (docs/rules.md §15).
    eqonaq_counts_arrival_day = models.BooleanField(
        _("the arrival day counts as the first of the 3 working days for eQonaq"), default=True
    )
    tax_window = models.CharField(
        _("183-day window"), max_length=12, choices=TaxWindow, default=TaxWindow.TWELVE_MONTHS
    )
    montage_year = models.CharField(
        _("Montage year"), max_length=12, choices=MontageYear, default=MontageYear.CALENDAR
    )
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_(
            "Everyone in the organisation must give a code from an authenticator app after "
            "their password; whoever has none set up is asked to set one up at their next login."
        ),
    )
    # docs/rules.md §1 and §15: the documented default merges a same-day exit and re-entry.
    merge_same_day_reentry = models.BooleanField(
        _("count a same-day exit and re-entry as one stay"),
        default=True,
        help_text=_(
            "Off: the re-entry is a new border crossing and its 30 days start again; the "
            "90/180 rule still counts every day."
        ),
    )
    registration_lead_days = models.PositiveSmallIntegerField(
        _("warn this many days before a registration is due"), default=7
    )
    # docs/rules.md §2: egov.kz's "not more than 120 days during one calendar year", optional.
    kz_annual_cap = models.BooleanField(
        _("apply egov.kz's 120 days per calendar year to visa-free stays"), default=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stay_day_warning__gte=1) & Q(stay_day_warning__lte=30),
                name="trips_organisation_stay_day_warning_in_stay",
                violation_error_message=_("The stay-day warning must be a day from 1 to 30."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarYear(models.Model):
    """A compliance admin's calendar of one year's Kazakh days off and transferred working days.

    Kazakhstan moves its days off by decree every year (Labour Code art. 85(3), docs/rules.md §3);
    the built-in calendar may lack them. A saved year replaces the built-in one for the eQonaq
    deadlines of the organisation, and counts as confirmed.
    """

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="calendar_years", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # ISO dates ("2026-03-09"), sorted: the days off, and the weekend days made working days.
    holidays = models.JSONField(_("days off"), default=list, blank=True)
    transferred_working_days = models.JSONField(
        _("transferred working days"), default=list, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                name="trips_calendaryear_one_per_year",
                violation_error_message=_("This year's calendar is already saved."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900) & Q(year__lte=2999),
                name="trips_calendaryear_year_in_range",
                violation_error_message=_("The year must be between 1900 and 2999."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def days_off(self) -> list[date]:
        return [date.fromisoformat(day) for day in self.holidays]

    def working_days(self) -> list[date]:
        return [date.fromisoformat(day) for day in self.transferred_working_days]


class User(AbstractUser):
    """A person who logs in: one organisation, one role (the policy is trips/access.py)."""

    class Role(models.TextChoices):
        HR = "hr", _("HR")
        COMPLIANCE = "compliance", _("Compliance admin")
        TRAVELLER = "traveller", _("Traveller")

    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
        help_text=_("Empty only for platform staff, who manage organisations in the admin."),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.TRAVELLER)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by load_demo; refused wherever demo logins are switched off."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class PasswordResetRequest(models.Model):
    """A request for a password reset email, kept a while to limit how often one is sent.

    The email address is kept only as a keyed digest: enough to count, not to read.
    """

    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    client_address = models.CharField(_("client address"), max_length=45, db_index=True)
    email_digest = models.CharField(_("email digest"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.client_address} {self.requested_at:%Y-%m-%d %H:%M}"


class TravellerQuerySet(models.QuerySet):
    def active(self) -> TravellerQuerySet:
        return self.filter(active=True)

    def lock(self) -> list[int]:
        """Lock these travellers' rows until the transaction ends; their pks, in order.

        Every change to a traveller's records and every refresh of their figures takes this
        lock first, so that a refresh never computes from data an edit is about to replace.
        Always in pk order, so that two callers locking several travellers cannot deadlock.
        SQLite has no row locks: there its write transactions already run one at a time.
        """
        return list(self.select_for_update().order_by("pk").values_list("pk", flat=True))

    def search(self, text: str) -> TravellerQuerySet:
        # No stored text holds a NUL (PostgreSQL cannot store one): it matches nothing, and
        # PostgreSQL would refuse the query.
        text = text.replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(employee_number__icontains=text) | Q(email__icontains=text)
        )

    def with_status(self, status: str) -> TravellerQuerySet:
        """Travellers whose status light is `status`; an unknown or empty one filters nothing."""
        if status == Status.OK:
            # No snapshot yet: nothing recorded, so nothing to worry about.
            return self.filter(Q(snapshot__status=status) | Q(snapshot__isnull=True))
        if status in Status.values:
            return self.filter(snapshot__status=status)
        return self


class Traveller(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="travellers", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40)
    citizenship = models.CharField(
        _("citizenship"),
        max_length=2,
        choices=COUNTRIES,
        help_text=_(
            "Decides which rules apply: a German in Kazakhstan is visa-free, "
            "a Kazakh in the Schengen area needs a visa."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="traveller",
        verbose_name=_("user account"),
        help_text=_("Lets the traveller log in and see their own page."),
    )
    hr_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_travellers",
        verbose_name=_("HR owner"),
        help_text=_("Receives this traveller's alerts by email."),
    )
    language = models.CharField(
        _("language for emails"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    active = models.BooleanField(_("active"), default=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = TravellerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee_number"],
                name="trips_traveller_unique_employee_number",
                violation_error_message=_(
                    "Another traveller in this organisation has this employee number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"

    def get_absolute_url(self) -> str:
        return reverse("trips:traveller_detail", args=[self.pk])

    def clean(self) -> None:
        # The form has no organisation field, so Django skips the unique constraint there.
        if self.organisation_id and self.employee_number:
            taken = Traveller.objects.filter(
                organisation_id=self.organisation_id, employee_number=self.employee_number
            ).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError(
                    {
                        "employee_number": _(
                            "Another traveller in this organisation has this employee number."
                        )
                    }
                )


class Visa(models.Model):
    """A visa or residence permit; a trip may name one as its stay basis."""

    Kind = VisaKind

    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="visas", verbose_name=_("traveller")
    )
    country = models.CharField(_("issued by"), max_length=2, choices=COUNTRIES)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    number = models.CharField(_("number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    entries_allowed = models.PositiveSmallIntegerField(
        _("entries allowed"), null=True, blank=True, help_text=_("Empty: multiple entries.")
    )
    days_allowed = models.PositiveSmallIntegerField(
        _("days of stay allowed"),
        null=True,
        blank=True,
        help_text=_("Empty: the whole validity (the sticker's 'duration of stay' otherwise)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visa or permit")
        verbose_name_plural = _("visas and permits")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")),
                name="trips_visa_valid_until_after_valid_from",
                violation_error_message=_("The visa expires before it becomes valid."),
            ),
            models.CheckConstraint(
                condition=Q(entries_allowed__isnull=True) | Q(entries_allowed__gte=1),
                name="trips_visa_at_least_one_entry",
                violation_error_message=_("A visa allows at least one entry."),
            ),
            models.CheckConstraint(
                condition=Q(days_allowed__isnull=True) | Q(days_allowed__gte=1),
                name="trips_visa_at_least_one_day",
                violation_error_message=_("A visa allows at least one day of stay."),
            ),
        ]

    def __str__(self) -> str:
        return visa_name(self.kind, self.number)

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(
                {
                    "valid_until": _("Valid until %(until)s is before valid from %(from)s")
                    % {"until": dates.day(self.valid_until), "from": dates.day(self.valid_from)}
                }
            )

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class TripQuerySet(models.QuerySet):
    def overlapping(self, entry: date, exit: date | None) -> TripQuerySet:
        """Trips sharing at least one day with [entry, exit] (exit None: still there)."""
        trips = self.filter(Q(exit__isnull=True) | Q(exit__gte=entry))
        return trips if exit is None else trips.filter(entry__lte=exit)

    def open(self) -> TripQuerySet:
        return self.filter(exit__isnull=True)

    def in_country(self, country: str) -> TripQuerySet:
        return self.filter(country=country)


class Trip(models.Model):
    class Purpose(models.TextChoices):
        BUSINESS_MEETING = "business_meeting", _("Business meeting")
        CONFERENCE = "conference", _("Conference")
        TOURISM = "tourism", _("Tourism")
        MONTAGE = "montage", _("Montage / installation")
        EMPLOYMENT = "employment", _("Employment")
        REMOTE_WORK = "remote_work", _("Remote work")
        TRANSIT = "transit", _("Transit")

    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="trips", verbose_name=_("traveller")
    )
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES)
    entry = models.DateField(_("entry"))
    exit = models.DateField(_("exit"), null=True, blank=True, help_text=_("Empty: still there."))
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose, default=Purpose.BUSINESS_MEETING
    )
    visa = models.ForeignKey(
        Visa,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="trips",
        verbose_name=_("stay basis"),
        help_text=_("Empty: visa-free."),
    )
    host = models.CharField(_("host / inviting party"), max_length=200, blank=True)
    address = models.CharField(_("address in the country"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Raised by every save through a form (trips/forms.py, VersionedForm): an edit made from
    # an older version is refused instead of overwriting what someone saved meanwhile.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = TripQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["-entry", "-pk"]
        indexes = [models.Index(fields=["traveller", "entry"], name="trips_trip_traveller_entry")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit__isnull=True) | Q(exit__gte=F("entry")),
                name="trips_trip_exit_after_entry",
                violation_error_message=_("The exit date is before the entry date."),
            ),
            models.UniqueConstraint(
                fields=["traveller"],
                condition=Q(exit__isnull=True),
                name="trips_trip_one_open_trip",
                violation_error_message=_(
                    "This traveller already has a trip without an exit date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_name} {self.period}"

    def clean(self) -> None:
        """What the constraints say, in words next to the field, plus what they cannot say.

        The no-overlap rule is a PostgreSQL exclusion constraint (migration 0002); SQLite has
        none, and a form would only see PostgreSQL's error as a crash, so it is checked here.
        """
        if self.entry is None or not self.traveller_id:
            return
        # Each message has a code, which the API passes on (trips/api/errors.py).
        errors: dict[str, list[ValidationError]] = {}
        if self.exit is not None and self.exit < self.entry:
            errors.setdefault("exit", []).append(
                ValidationError(
                    _("Exit %(exit)s is before entry %(entry)s")
                    % {"exit": dates.day(self.exit), "entry": dates.day(self.entry)},
                    code="exit_before_entry",
                )
            )
        else:
            others = Trip.objects.filter(traveller_id=self.traveller_id).exclude(pk=self.pk)
            if self.exit is None and others.open().exists():
                errors.setdefault("exit", []).append(
                    ValidationError(
                        _("This traveller already has a trip without an exit date"),
                        code="open_trip",
                    )
                )
            for other in self.conflicting_trips():
                # Name the conflict next to the date that runs into it.
                field = "exit" if other.entry > self.entry else "entry"
                errors.setdefault(field, []).append(
                    ValidationError(
                        _("Overlaps the trip %(span)s") % {"span": other.span}, code="overlap"
                    )
                )
        if self.visa_id and self.visa.traveller_id != self.traveller_id:
            errors.setdefault("visa", []).append(
                ValidationError(_("This visa belongs to another traveller."), code="other_visa")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def span(self) -> str:
        return dates.span(self.entry, self.exit)

    @property
    def period(self) -> str:
        if self.exit is None:
            return _("%(entry)s – still there") % {"entry": dates.day(self.entry)}
        return dates.span(self.entry, self.exit)

    def is_planned(self, *, on: date) -> bool:
        """A trip that starts after `on` is a plan, not a record of a border crossing."""
        return self.entry > on

    def half_day_span(self) -> tuple[int, float]:
        """The trip as a closed range of half-days, for the no-overlap rule.

        A person is in one place, but leaving one country and entering another on the same day
        counts as a day in both (docs/rules.md §11, SBC art. 6(2)): one trip may begin on the day
        another ends. A trip of several days claims its inner half-days only, so that it may
        touch a neighbour at either end; a one-day trip claims its whole day. Migration 0002
        states the same rule as a PostgreSQL exclusion constraint.
        """
        entry = self.entry.toordinal()
        if self.exit == self.entry:
            return 2 * entry, 2 * entry
        high = math.inf if self.exit is None else 2 * self.exit.toordinal() - 1
        return 2 * entry + 1, high

    def conflicts_with(self, other: Trip) -> bool:
        low, high = self.half_day_span()
        other_low, other_high = other.half_day_span()
        return low <= other_high and other_low <= high

    def conflicting_trips(self) -> list[Trip]:
        candidates = Trip.objects.filter(traveller_id=self.traveller_id).overlapping(
            self.entry, self.exit
        )
        if self.pk:
            candidates = candidates.exclude(pk=self.pk)
        return [trip for trip in candidates.order_by("entry") if self.conflicts_with(trip)]


class AddressChange(models.Model):
    """A move during a trip: it creates the duty to notify eQonaq again (docs/rules.md §3)."""

    trip = models.ForeignKey(
        Trip, models.CASCADE, related_name="address_changes", verbose_name=_("trip")
    )
    changed_on = models.DateField(_("moved on"))
    new_address = models.CharField(_("new address"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("address change")
        verbose_name_plural = _("address changes")
        ordering = ["changed_on", "pk"]

    def __str__(self) -> str:
        return f"{dates.day(self.changed_on)}: {self.new_address}"

    def clean(self) -> None:
        if self.changed_on is None or not self.trip_id:
            return
        trip = self.trip
        if self.changed_on < trip.entry or (trip.exit is not None and self.changed_on > trip.exit):
            raise ValidationError(
                {
                    "changed_on": _("%(day)s is outside the trip %(span)s")
                    % {"day": dates.day(self.changed_on), "span": trip.span}
                }
            )


class Notification(models.Model):
    """An eQonaq notification the host filed for an arrival or an address change."""

    class Reason(models.TextChoices):
        ARRIVAL = "arrival", _("Arrival")
        ADDRESS_CHANGE = "address_change", _("Address change")

    trip = models.ForeignKey(
        Trip, models.CASCADE, related_name="notifications", verbose_name=_("trip")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason, default=Reason.ARRIVAL)
    address_change = models.ForeignKey(
        AddressChange,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("address change"),
    )
    address = models.CharField(_("address"), max_length=300)
    filed_on = models.DateField(_("filed on"))
    reference = models.CharField(_("reference number"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eQonaq notification")
        verbose_name_plural = _("eQonaq notifications")
        ordering = ["filed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="arrival", address_change__isnull=True)
                | Q(reason="address_change", address_change__isnull=False),
                name="trips_notification_reason_matches_address_change",
                violation_error_message=_(
                    "A notification for an address change names that change; "
                    "one for an arrival names none."
                ),
            ),
        ]

    def __str__(self) -> str:
        filed = dates.day(self.filed_on)
        return f"{self.get_reason_display()} {filed} {self.reference}".strip()

    def clean(self) -> None:
        """A notification follows its event, and an address change's one names a change of its trip.

        The reason/address change pairing is also a constraint; saying it here puts the words
        next to the field.
        """
        if not self.trip_id:
            return
        errors: dict[str, str] = {}
        event_day = self.trip.entry
        if self.reason == self.Reason.ADDRESS_CHANGE:
            if self.address_change_id is None:
                errors["address_change"] = _("Choose the address change this notification is for.")
            elif self.address_change.trip_id != self.trip_id:
                errors["address_change"] = _("This address change belongs to another trip.")
            else:
                event_day = self.address_change.changed_on
        elif self.address_change_id is not None:
            errors["address_change"] = _("An arrival notification names no address change.")
        late_enough = self.filed_on is None or self.filed_on >= event_day
        if not late_enough and "address_change" not in errors:
            errors["filed_on"] = _("Filed on %(filed)s, before the event on %(day)s") % {
                "filed": dates.day(self.filed_on),
                "day": dates.day(event_day),
            }
        if errors:
            raise ValidationError(errors)


class StatusSnapshot(models.Model):
    """The figures lists show for one traveller, computed by `trips.snapshots`.

    Refreshed in the same transaction as every change to the traveller's trips, visas or
    notifications, and daily for everyone, so that lists never compute the law row by row.
    """

    traveller = models.OneToOneField(
        Traveller, models.CASCADE, primary_key=True, related_name="snapshot"
    )
    evaluated_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status, default=Status.OK)
    urgency = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=2, choices=COUNTRIES, blank=True)
    location_since = models.DateField(null=True, blank=True)
    stay_day = models.PositiveIntegerField(null=True, blank=True)
    stay_cap = models.PositiveIntegerField(null=True, blank=True)
    kz_days_used = models.PositiveIntegerField(default=0)
    kz_days_left = models.PositiveIntegerField(default=90)
    schengen_days_used = models.PositiveIntegerField(null=True, blank=True)
    schengen_days_left = models.PositiveIntegerField(null=True, blank=True)
    latest_legal_exit = models.DateField(null=True, blank=True)
    next_deadline = models.DateField(null=True, blank=True)
    next_deadline_label = models.CharField(max_length=200, blank=True)
    # The findings behind `reason` and `next_deadline_label` as kind and parameters, so that
    # lists can say them in the reader's language (trips.wording.describe), not the refresher's.
    reason_kind = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    next_deadline_kind = models.CharField(max_length=40, blank=True)
    next_deadline_params = models.JSONField(default=dict, blank=True)
    tax_days = models.PositiveIntegerField(default=0)
    overstay_days = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # The dashboard's orderings (trips/views/dashboard.py SORTS), read in index order.
            models.Index(fields=["-urgency", "next_deadline"], name="trips_snapshot_urgency"),
            models.Index(fields=["next_deadline"], name="trips_snapshot_deadline"),
            models.Index(fields=["kz_days_left"], name="trips_snapshot_kz_days_left"),
            models.Index(fields=["status"], name="trips_snapshot_status"),
        ]

    def __str__(self) -> str:
        return f"{self.traveller_id}: {self.status} on {self.evaluated_on}"


class AlertQuerySet(models.QuerySet):
    def live(self) -> AlertQuerySet:
        """Alerts whose situation still holds: the ones the unique constraint keeps single."""
        return self.filter(Alert.LIVE)

    def active(self) -> AlertQuerySet:
        """Alerts someone still has to work: open or acknowledged."""
        return self.filter(state__in=Alert.ACTIVE_STATES)

    def action_needed(self) -> AlertQuerySet:
        """What the navigation badge counts: open alerts of severity action or worse."""
        return self.filter(state=Alert.State.OPEN, severity__in=[Status.ACTION, Status.OVERSTAY])

    def by_urgency(self) -> AlertQuerySet:
        """The queue's order, which the index `trips_alert_queue` holds for the active ones."""
        return self.order_by("-urgency", F("due_on").asc(nulls_last=True), "opened_at", "pk")


class Alert(models.Model):
    """One finding of `trips.findings` that someone must know about or act on.

    Derived from the data by `trips.alerts.refresh_alerts()`, never edited by hand except for
    the review states. An alert is *live* while its situation holds: open, acknowledged, or
    resolved without `cleared_at`. A resolved alert stays live so that the situation it was
    about does not raise a second alert; `cleared_at` records that the situation ended, after
    which it may arise again as a new alert. At most one live alert per traveller, kind and
    subject: the database says so, even when two refresh runs overlap.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    ACTIVE_STATES = (State.OPEN, State.ACKNOWLEDGED)
    LIVE = Q(state__in=ACTIVE_STATES) | Q(state=State.RESOLVED, cleared_at__isnull=True)

    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="alerts", verbose_name=_("traveller")
    )
    # The traveller's, kept on the alert so that the queue and its counts read one index
    # instead of joining every traveller of the organisation (`save()` fills it in).
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="alerts",
        verbose_name=_("organisation"),
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AlertKind)
    subject = models.CharField(
        _("subject"), max_length=100, help_text=_("Which stay, visa or change it is about.")
    )
    severity = models.CharField(_("severity"), max_length=12, choices=Status)
    # The severity's rank (STATUS_URGENCY), computed by the database: the queue sorts on it.
    urgency = models.GeneratedField(
        expression=models.Case(
            *(models.When(severity=s, then=models.Value(u)) for s, u in STATUS_URGENCY.items()),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.OPEN)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    rule_key = models.CharField(_("rule"), max_length=40, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_alerts",
        verbose_name=_("assigned to"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_on = models.DateField(_("opened on (evaluation date)"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_alerts",
        verbose_name=_("resolved by"),
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    cleared_at = models.DateTimeField(
        _("situation ended at"),
        null=True,
        blank=True,
        help_text=_("For a resolved alert: its situation ended, so it may arise again."),
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    digested_on = models.DateField(_("in the digest of"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "severity"], name="trips_alert_state_severity"),
            models.Index(fields=["traveller", "state"], name="trips_alert_traveller_state"),
            # The queue of active alerts, in its order (`by_urgency`), and how many there are.
            models.Index(
                fields=["organisation", "-urgency", "due_on", "opened_at", "id"],
                condition=Q(state__in=["open", "acknowledged"]),
                name="trips_alert_queue",
            ),
            # The navigation badge's count (`action_needed`).
            models.Index(
                fields=["organisation", "state", "severity"], name="trips_alert_org_state"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["traveller", "kind", "subject"],
                condition=Q(state__in=["open", "acknowledged"])
                | Q(state="resolved", cleared_at__isnull=True),
                name="trips_alert_one_live_alert_per_subject",
                violation_error_message=_("This traveller already has this alert."),
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="trips_alert_closed_has_closed_at",
                violation_error_message=_("A closed alert says when it closed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.traveller.name}"

    def save(self, *args, **kwargs) -> None:
        # The organisation is the traveller's (the run's bulk inserts set it themselves).
        if self.organisation_id is None:
            self.organisation_id = self.traveller.organisation_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("trips:alert_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def needs_action(self) -> bool:
        return self.severity in {Status.ACTION, Status.OVERSTAY}

    def record(self, action: str, *, actor=None, note: str = "", via: str = "") -> AlertEvent:
        return AlertEvent.objects.create(alert=self, actor=actor, action=action, note=note, via=via)

    def acknowledge(self, *, by, via: str = "") -> None:
        """Someone has seen it and is on it; it stays in the queue until resolved."""
        if self.state != self.State.OPEN:
            return
        self.state = self.State.ACKNOWLEDGED
        self.save(update_fields=["state"])
        self.record(AlertEvent.Action.ACKNOWLEDGED, actor=by, via=via)

    def assign(self, assignee, *, by, via: str = "") -> None:
        if self.assigned_to_id == (assignee.pk if assignee else None):
            return
        self.assigned_to = assignee
        self.save(update_fields=["assigned_to"])
        self.record(AlertEvent.Action.ASSIGNED, actor=by, note=str(assignee or ""), via=via)

    def resolve(self, note: str, *, by, via: str = "") -> None:
        """Dealt with; it stays live (and silent) as long as its situation holds."""
        if not self.is_active:
            return
        self.state = self.State.RESOLVED
        self.resolved_at = timezone.now()
        self.resolved_by = by
        self.resolution_note = note
        self.save(update_fields=["state", "resolved_at", "resolved_by", "resolution_note"])
        self.record(AlertEvent.Action.RESOLVED, actor=by, note=note, via=via)


class AlertEvent(models.Model):
    """Every change to an alert's state, with who (None: the system) and when."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CLEARED = "cleared", _("Situation ended")
        REOPENED = "reopened", _("Reopened")
        EMAILED = "emailed", _("Emailed")
        DIGESTED = "digested", _("Included in a digest")

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="events", verbose_name=_("alert"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=16, choices=Action)
    note = models.TextField(_("note"), blank=True)
    via = models.CharField(
        _("via"), max_length=100, blank=True, help_text=_("The API token that made the change.")
    )

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class DailyRun(models.Model):
    """The daily run of one day: every snapshot and alert brought up to date for `on`.

    The row is also the claim. Its day is unique, so when several processes notice a new day,
    one inserts the row and runs while the others see it and do not; a claim that never
    finished (its process was killed) may be taken over once it is older than the lease
    (`trips.daily.LEASE`).
    """

    on = models.DateField(_("day"), unique=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.on.isoformat()}: {self.summary or 'running'}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, *, on: date) -> ApiTokenQuerySet:
        """Tokens that open the API on `on`: not revoked, not past their last valid day."""
        return self.filter(revoked_at__isnull=True, valid_until__gte=on)


class ApiToken(models.Model):
    """A key an HR system or a script sends to use the API for one organisation.

    Only the SHA-256 hash of the key is stored: the key itself is shown once, when it is made.
    A token is someone's delegate: what it changes is recorded in the history as changed by the
    compliance admin who created it, with the token's name as the reason for the change.
    """

    class Role(models.TextChoices):
        READ_ONLY = "read_only", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="api_tokens", verbose_name=_("organisation")
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("Who or what uses it, e.g. “Personio sync”.")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.READ_ONLY)
    prefix = models.CharField(_("key begins with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    valid_until = models.DateField(_("valid until"), help_text=_("The last day it works."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(revoked_at__isnull=True),
                name="trips_apitoken_unique_name",
                violation_error_message=_("Another token of this organisation has this name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.role == self.Role.READ_WRITE

    def is_usable(self, *, on: date) -> bool:
        return self.revoked_at is None and on <= self.valid_until


class IdempotencyKey(models.Model):
    """The answer to a create sent with an `Idempotency-Key` header, to replay on a retry."""

    token = models.ForeignKey(ApiToken, models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=200)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], name="trips_idempotencykey_unique_key_per_token"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class ImportPreview(models.Model):
    """A checked trip file waiting for HR's confirmation (trips/import_preview.py).

    Nothing of the file is saved as trips until the uploader confirms; then `new_trips` is
    saved in one transaction, provided the trips of the travellers it names still have the
    `fingerprint` they had when the file was checked.
    """

    token = models.CharField(_("token"), max_length=43, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="import_previews",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    checked_on = models.DateField(_("checked on"))
    rows = models.JSONField(_("rows and their outcome"), default=list)
    new_trips = models.JSONField(_("trips to save"), default=list)
    changes = models.JSONField(_("status changes"), default=list)
    fingerprint = models.CharField(_("fingerprint of the affected trips"), max_length=64)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("trip import preview")
        verbose_name_plural = _("trip import previews")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("trips:import_preview", args=[self.token])


class CalendarFeed(models.Model):
    """A user's private calendar address: only a hash of its secret token is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class RefreshRun(models.Model):
    """One daily refresh of every traveller, split into chunks that several workers share."""

    # Only the workers read it (no page shows it): its names need no translation.
    on = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.on.isoformat()} ({self.pk})"


class RefreshChunk(models.Model):
    """The travellers whose ids lie in [first_traveller, last_traveller], refreshed by one worker.

    A worker claims a chunk by locking its row (SELECT ... FOR UPDATE SKIP LOCKED) and keeps the
    lock while it refreshes the chunk, in the same transaction that records it done: a chunk is
    done exactly once, and a worker that dies gives it back by rolling back.
    """

    run = models.ForeignKey(RefreshRun, models.CASCADE, related_name="chunks")
    first_traveller = models.BigIntegerField()
    last_traveller = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # What the refresh did, so that the run's summary adds up what every worker did.
    snapshots = models.PositiveIntegerField(default=0)
    travellers = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "first_traveller"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_traveller"], name="trips_refreshchunk_one_per_start"
            ),
            models.CheckConstraint(
                condition=Q(last_traveller__gte=F("first_traveller")),
                name="trips_refreshchunk_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: travellers {self.first_traveller}-{self.last_traveller}"


class DataChange(models.Model):
    """One committed write of an organisation's snapshots or travellers; the sum of the
    weights is the organisation's data version, which cached dashboards are keyed by
    (trips/dashboard_cache.py).

    Rows, not a counter in one row: writers only insert, so the daily run's workers and
    people's changes never wait for each other's locks, yet every commit adds to the sum.
    """

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    weight = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.organisation_id}: +{self.weight}"
