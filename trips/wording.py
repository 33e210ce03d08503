"""Findings, legal sources and overstay bands in the reader's language, and how a day reads.

The one place that words what the evaluation found: models, emails, presenters and views import
this module, never the evaluation. Findings reach it as a kind and JSON-ready parameters (what
alerts and snapshots store), so a stored finding reads in whatever language is active.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

import rules

from .choices import AlertKind
from .dates import day, span

__all__ = ["area_name", "citation", "consequence_text", "day", "describe", "legal_source", "span"]


def area_name(key: str) -> str:
    """The rule set's area by its key ("kz" or "schengen"), as a sentence names it."""
    return _("Kazakhstan") if key == "kz" else _("the Schengen area")


def citation(rule: rules.Rule) -> str:
    """How a rule is cited to the reader: the law itself (its legal basis)."""
    return rule.legal_basis


def describe(kind: str, params: dict) -> str:
    """A finding in words, in the active language (alerts and emails call it too)."""
    area = area_name(params.get("area", ""))
    match kind:
        case AlertKind.ALLOWANCE_LOW:
            return ngettext(
                "Only %(left)d day left of 90 in 180 in %(area)s.",
                "Only %(left)d days left of 90 in 180 in %(area)s.",
                params["left"],
            ) % {"left": params["left"], "area": area}
        case AlertKind.PLAN_BREAKS_ALLOWANCE:
            return _("The planned trips break the 90/180 rule in %(area)s on %(date)s.") % {
                "area": area,
                "date": day(params["date"]),
            }
        case AlertKind.STAY_DAY:
            return _("Day %(day)d of a 30-day visa-free stay; leave by %(exit)s.") % {
                "day": params["day"],
                "exit": day(params["exit"]),
            }
        case AlertKind.EXIT_SOON:
            return ngettext(
                "Latest legal exit %(exit)s, in %(n)d day.",
                "Latest legal exit %(exit)s, in %(n)d days.",
                params["days_to_exit"],
            ) % {"exit": day(params["exit"]), "n": params["days_to_exit"]}
        case AlertKind.EQONAQ_DUE | AlertKind.EQONAQ_OVERDUE:
            event = _("arrival") if params["subject"] == "trip" else _("address change")
            text = (
                _("eQonaq notification for the %(event)s on %(day)s is overdue since %(deadline)s.")
                if kind == AlertKind.EQONAQ_OVERDUE
                else _("eQonaq notification for the %(event)s on %(day)s is due by %(deadline)s.")
            )
            return text % {
                "event": event,
                "day": day(params["event_day"]),
                "deadline": day(params["deadline"]),
            }
        case AlertKind.REGISTRATION_NEEDED:
            return _(
                "The stay from %(entry)s exceeds 30 days: temporary registration by %(deadline)s."
            ) % {"entry": day(params["entry"]), "deadline": day(params["deadline"])}
        case AlertKind.OVERSTAY_WARNING | AlertKind.OVERSTAY_SANCTION:
            return ngettext(
                "Overstay of %(days)d day after the stay from %(entry)s: %(consequence)s",
                "Overstay of %(days)d days after the stay from %(entry)s: %(consequence)s",
                params["days"],
            ) % {
                "days": params["days"],
                "entry": day(params["entry"]),
                "consequence": consequence_text(params.get("band"), params["consequence"]),
            }
        case AlertKind.SCHENGEN_OVERSTAY:
            return ngettext(
                "Overstay of %(days)d day in the Schengen area (stay from %(entry)s).",
                "Overstay of %(days)d days in the Schengen area (stay from %(entry)s).",
                params["days"],
            ) % {"days": params["days"], "entry": day(params["entry"])}
        case AlertKind.VISA_EXPIRING:
            return ngettext(
                "%(visa)s expires on %(until)s, in %(days)d day, while a stay depends on it.",
                "%(visa)s expires on %(until)s, in %(days)d days, while a stay depends on it.",
                params["days"],
            ) % {"visa": params["visa"], "until": day(params["until"]), "days": params["days"]}
        case AlertKind.VISA_OUTSIDE_VALIDITY:
            return _("A stay on %(visa)s runs outside its validity from %(date)s.") % {
                "visa": params["visa"],
                "date": day(params["date"]),
            }
        case AlertKind.VISA_DAYS_EXCEEDED:
            return _("Stays on %(visa)s exceed its %(allowed)s allowed days from %(date)s.") % {
                "visa": params["visa"],
                "allowed": params["allowed"],
                "date": day(params["date"]),
            }
        case AlertKind.MONTAGE_APPROACHING | AlertKind.MONTAGE_EXCEEDED:
            return _("%(days)d Montage days this year (at most %(cap)d).") % params
        case AlertKind.TAX_APPROACHING:
            if params.get("date"):
                return _("%(days)d days in Kazakhstan in 12 months; day 184 would be %(date)s.") % {
                    "days": params["days"],
                    "date": day(params["date"]),
                }
            return (
                _("%(days)d days in Kazakhstan in 12 months (salary tax moves after 183).") % params
            )
        case AlertKind.TAX_CROSSED:
            return _(
                "More than 183 days in Kazakhstan in 12 months since %(date)s: "
                "salary is taxable there."
            ) % {"date": day(params["date"])}
    return str(kind)


def legal_source(rule_key: str) -> str:
    """The law behind a finding's rule, as the traveller page and the emails cite it."""
    return citation(rules.rule(rule_key)) if rule_key else ""


# The overstay bands' texts (rules.BANDS, KoAP art. 517), in the reader's language.
CONSEQUENCES = {
    "1-3": gettext_lazy("Warning (KoAP art. 517(3)(1))."),
    "4-5": gettext_lazy("Fine of 10 MCI (KoAP art. 517(3)(2))."),
    "6-10": gettext_lazy(
        "Fine; the amount for 6 to 10 days is not verified (KoAP art. 517(3)(3))."
    ),
    ">10": gettext_lazy(
        "Fine and/or administrative expulsion with a 5-year entry ban, by court decision "
        "(KoAP art. 517(4)); the amount is not verified."
    ),
}


def consequence_text(band: str | None, text: str) -> str:
    """The overstay band's consequence in the reader's language; the engine's English else."""
    return str(CONSEQUENCES.get(band, text))
