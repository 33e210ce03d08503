"""Organisations, their users and calendar corrections, and the password reset limit."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
    # Set by an administrator's reset of two-factor login: until then, a required first
    # set-up needs no emailed link (trips/accounts/twofactor.py).
    two_factor_setup_allowed_until = models.DateTimeField(
        _("may set up two-factor login until"), null=True, blank=True
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # An API token acts as its creator (trips/accounts/tokens.py). Whatever path changes
        # the creator - the admin, single sign-on's role sync, a script - their tokens end
        # here with them, recorded in the tokens' history; the API's lookup refuses such a
        # token as well, so even an `update()` that skips this cannot keep one working.
        changed = self._token_relevant_change(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if changed:
            # By name: trips/models/api.py imports this module.
            ApiToken = self._meta.apps.get_model("trips", "ApiToken")  # noqa: N806
            ApiToken.objects.filter(created_by=self).revoke_all(
                reason="Its creator was deactivated or changed role or organisation."
            )

    def _token_relevant_change(self, update_fields) -> bool:
        watched = {"is_active", "role", "organisation"}
        if self.pk is None or (update_fields is not None and not watched & set(update_fields)):
            return False
        before = User.objects.filter(pk=self.pk).values("is_active", "role", "organisation_id")
        old = before.first()
        return old is not None and old != {
            "is_active": self.is_active,
            "role": self.role,
            "organisation_id": self.organisation_id,
        }


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
