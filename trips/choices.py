"""The words findings, snapshots and alerts share: the status light, the kinds of finding, and
the kinds of visa (a finding names its visa by kind and number, worded for each reader).

Apart from the models so that the evaluation and the wording can name them without importing
the models (which import the wording).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The dashboard's status light, from calm to urgent."""

    OK = "ok", _("OK")
    ATTENTION = "attention", _("Attention")
    ACTION = "action", _("Action needed")
    OVERSTAY = "overstay", _("Overstay")


STATUS_URGENCY = {Status.OK: 0, Status.ATTENTION: 1, Status.ACTION: 2, Status.OVERSTAY: 3}


class AlertKind(models.TextChoices):
    """What a finding of `trips.evaluation.findings` (and so an alert) is about."""

    ALLOWANCE_LOW = "allowance_low", _("90/180 allowance running low")
    PLAN_BREAKS_ALLOWANCE = "plan_breaks_allowance", _("Planned trip would break the 90/180 rule")
    STAY_DAY = "stay_day", _("Long visa-free stay")
    EXIT_SOON = "exit_soon", _("Latest legal exit is near")
    EQONAQ_DUE = "eqonaq_due", _("eQonaq notification due")
    EQONAQ_OVERDUE = "eqonaq_overdue", _("eQonaq notification overdue")
    REGISTRATION_NEEDED = "registration_needed", _("Temporary registration needed")
    OVERSTAY_WARNING = "overstay_warning", _("Overstay (warning tier)")
    OVERSTAY_SANCTION = "overstay_sanction", _("Overstay (sanction tier)")
    SCHENGEN_OVERSTAY = "schengen_overstay", _("Overstay in the Schengen area")
    VISA_EXPIRING = "visa_expiring", _("Visa expiring")
    VISA_OUTSIDE_VALIDITY = "visa_outside_validity", _("Stay outside the visa's validity")
    VISA_DAYS_EXCEEDED = "visa_days_exceeded", _("Stay over the visa's allowed days")
    MONTAGE_APPROACHING = "montage_approaching", _("Montage days approaching 120")
    MONTAGE_EXCEEDED = "montage_exceeded", _("Montage days over 120")
    TAX_APPROACHING = "tax_approaching", _("183-day tax count approaching")
    TAX_CROSSED = "tax_crossed", _("183-day tax count crossed")
    VISA_NEEDED = "visa_needed", _("Visa needed")
    CITIZENSHIP_NOT_MODELLED = "citizenship_not_modelled", _("Citizenship not modelled")
    REGISTRATION_AHEAD = "registration_ahead", _("Temporary registration due soon")
    SAME_DAY_CHOICE = "same_day_choice", _("Verdict depends on the same-day re-entry setting")


class VisaKind(models.TextChoices):
    """What a visa or permit is (`Visa.kind`)."""

    B2_SINGLE = "b2_single", _("B2 business visa, single entry")
    B2_MULTIPLE = "b2_multiple", _("B2 business visa, multiple entry")
    C3 = "c3", _("C3 work visa")
    B12_1 = "b12_1", _("B12-1 Neo Nomad visa")
    B9_1 = "b9_1", _("B9-1 digital nomad visa")
    KZ_TEMPORARY_RESIDENCE = "kz_temporary_residence", _("Temporary residence permit (KZ)")
    SCHENGEN_C = "schengen_c", _("Schengen C visa")
    DE_NATIONAL_D = "de_national_d", _("German national D visa")
    DE_RESIDENCE_PERMIT = "de_residence_permit", _("German residence permit")


def visa_name(kind: str, number: str) -> str:
    """A visa as pages and messages name it: its kind in the active language, then its number."""
    return f"{VisaKind(kind).label} {number}".strip()


class Purpose(models.TextChoices):
    """What a trip is for: it decides which rule sets and visas apply."""

    BUSINESS_MEETING = "business_meeting", _("Business meeting")
    CONFERENCE = "conference", _("Conference")
    TOURISM = "tourism", _("Tourism")
    MONTAGE = "montage", _("Montage / installation")
    EMPLOYMENT = "employment", _("Employment")
    REMOTE_WORK = "remote_work", _("Remote work")
    TRANSIT = "transit", _("Transit")
