"""Findings, legal sources and overstay bands in the reader's language, and how a day reads.

The one place that words what the evaluation found: models, emails, presenters and views import
this module, never the evaluation. Findings reach it as a kind and JSON-ready parameters (what
alerts and snapshots store), so a stored finding reads in whatever language is active.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext, pgettext

import rules
from trips.choices import AlertKind, Purpose, VisaKind, visa_name
from trips.countries import COUNTRY_NAMES
from trips.dates import day

__all__ = [
    "area_name",
    "citation",
    "consequence_text",
    "describe",
    "legal_source",
    "rule_title",
]


def area_name(key: str) -> str:
    """The rule set's area by its key ("kz" or "schengen"), as a sentence names it after "in".

    Every sentence says "in %(area)s"; the context lets a language decline the name there
    (Russian "в Казахстане", German "in dem Schengen-Raum").
    """
    if key == "kz":
        return pgettext("area, after 'in'", "Kazakhstan")
    return pgettext("area, after 'in'", "the Schengen area")


def citation(rule: rules.Rule) -> str:
    """How a rule is cited to the reader: the law itself (its legal basis), in their language."""
    return _(rule.legal_basis)


def rule_title(rule: rules.Rule) -> str:
    """What a rule says, in one line, in the reader's language."""
    return _(rule.title)


# The engine speaks English only: each rule's title and legal basis (rules.RULES) is listed here
# so that makemessages puts it into the catalogues, and `citation` and `rule_title` translate
# it. A test fails when the engine has a title or legal basis this list lacks.
ENGINE_TEXTS = (
    gettext_noop("Kazakhstan visa-free: at most 30 days per stay, entry day = day 1"),
    gettext_noop(
        "Law 'On Migration of the Population' No. 477-IV art. 6; Rules of Entry and Stay "
        "(Decree No. 148 of 21 Jan 2012) as amended by Decree No. 1146 of 31 Dec 2022"
    ),
    gettext_noop("Kazakhstan visa-free: at most 90 days in every 180-day period"),
    gettext_noop(
        "Rules of Entry and Stay (Decree No. 148) as amended by Decree No. 1146 of 31 Dec 2022, "
        "in force 27 Jan 2023; Law on Migration art. 48 (refusal of entry)"
    ),
    gettext_noop("eQonaq arrival notification by the host within 3 working days"),
    gettext_noop("Rules of Entry and Stay (Decree No. 148) para. 9; KoAP art. 518(1)"),
    gettext_noop("Temporary registration for a stay longer than 30 days, by day 30"),
    gettext_noop(
        "Rules of Entry and Stay (Decree No. 148); exemption for stays up to 30 days since "
        "11 Jan 2020"
    ),
    gettext_noop("Overstay sanctions by days overstayed"),
    gettext_noop("Code of Administrative Offences of 5 Jul 2014 No. 235-V, art. 517(3)-(4)"),
    gettext_noop("Montage (installation) under a B2 visa: at most 120 days within a year"),
    gettext_noop("Joint order of the MFA and MIA on visas (adilet V1600014531); GTAI 15 Jan 2026"),
    gettext_noop(
        "A stay under a Kazakh visa is checked against the visa's validity and stay limits"
    ),
    gettext_noop("Joint order of the MFA and MIA on visas (adilet V1600014531)"),
    gettext_noop("DTA Germany-Kazakhstan art. 15: more than 183 presence days in any 12 months"),
    gettext_noop(
        "Agreement of 26 Nov 1997 (BGBl. 1998 II S. 1592) art. 15(2)(a); OECD Commentary on "
        "art. 15 para. 5; BMF letter of 12 Dec 2023"
    ),
    gettext_noop("Schengen: at most 90 days in any 180-day period"),
    gettext_noop(
        "Regulation (EU) 2016/399 (Schengen Borders Code) art. 6(1)-(2), wording of Reg. 610/2013"
    ),
    gettext_noop("Schengen C visa: validity and authorised days of stay, within 90/180"),
    gettext_noop("Regulation (EU) 2018/1806 Annex I; Schengen Borders Code art. 6"),
    gettext_noop("German national (D) visa: validity; travel insurance for the first 90 days"),
    gettext_noop("Auswärtiges Amt, 'Nationale Visa' (Botschaft Astana / GK Almaty); SBC art. 6(2)"),
)


def describe(kind: str, params: dict) -> str:
    """A finding in words, in the active language (alerts and emails call it too)."""
    words = WORDS.get(kind)
    return words(params) if words else str(kind)


def _visa(params: dict) -> str:
    """The visa a finding is about, in the reader's language.

    Findings stored before visas were kept by kind and number carry the name as it was then.
    """
    if "visa_kind" in params:
        return visa_name(params["visa_kind"], params["visa_number"])
    return params.get("visa", "")


def _allowance_low(params: dict) -> str:
    return ngettext(
        "Only %(left)d day left of 90 in 180 in %(area)s.",
        "Only %(left)d days left of 90 in 180 in %(area)s.",
        params["left"],
    ) % {"left": params["left"], "area": area_name(params.get("area", ""))}


def _plan_breaks_allowance(params: dict) -> str:
    return _("The planned trips break the 90/180 rule in %(area)s on %(date)s.") % {
        "area": area_name(params.get("area", "")),
        "date": day(params["date"]),
    }


def _stay_day(params: dict) -> str:
    return _("Day %(day)d of a 30-day visa-free stay; leave by %(exit)s.") % {
        "day": params["day"],
        "exit": day(params["exit"]),
    }


def _exit_soon(params: dict) -> str:
    return ngettext(
        "Latest legal exit %(exit)s, in %(n)d day.",
        "Latest legal exit %(exit)s, in %(n)d days.",
        params["days_to_exit"],
    ) % {"exit": day(params["exit"]), "n": params["days_to_exit"]}


def _eqonaq_due(params: dict) -> str:
    return _eqonaq(
        _("eQonaq notification for the %(event)s on %(day)s is due by %(deadline)s."), params
    )


def _eqonaq_overdue(params: dict) -> str:
    return _eqonaq(
        _("eQonaq notification for the %(event)s on %(day)s is overdue since %(deadline)s."),
        params,
    )


def _eqonaq(text: str, params: dict) -> str:
    """An eQonaq duty's sentence `text`, filled in, with a word on an unconfirmed calendar."""
    event = _("arrival") if params["subject"] == "trip" else _("address change")
    text %= {
        "event": event,
        "day": day(params["event_day"]),
        "deadline": day(params["deadline"]),
    }
    if params.get("unconfirmed_year"):
        # Kazakhstan moves its days off by decree every year (docs/rules.md §3).
        text += " " + _(
            "The working-day calendar of %(year)d is not confirmed: check the deadline."
        ) % {"year": params["unconfirmed_year"]}
    return text


def _registration_needed(params: dict) -> str:
    return _("The stay from %(entry)s exceeds 30 days: temporary registration by %(deadline)s.") % {
        "entry": day(params["entry"]),
        "deadline": day(params["deadline"]),
    }


def _registration_ahead(params: dict) -> str:
    return _(
        "The stay from %(entry)s may pass 30 days: temporary registration by %(deadline)s."
    ) % {"entry": day(params["entry"]), "deadline": day(params["deadline"])}


def _kz_overstay(params: dict) -> str:
    """A Kazakh overstay, its band's consequence and, where known, the fine (§5)."""
    text = ngettext(
        "Overstay of %(days)d day after the stay from %(entry)s: %(consequence)s",
        "Overstay of %(days)d days after the stay from %(entry)s: %(consequence)s",
        params["days"],
    ) % {
        "days": params["days"],
        "entry": day(params["entry"]),
        "consequence": consequence_text(params.get("band"), params["consequence"]),
    }
    if params.get("fine_kzt"):
        # The MCI in force when proceedings start decides the amount (KoAP art. 44(1),
        # docs/rules.md §15a): the exit's year, or today's while the traveller is still there.
        values = {
            "kzt": number_format(params["fine_kzt"], force_grouping=True),
            "year": params["mci_year"],
        }
        if params.get("mci_basis") == "exit":
            text += " " + _("%(kzt)s KZT at the MCI of %(year)d, the year of the exit.") % values
        elif params.get("mci_basis") == "query_date":
            text += (
                " " + _("%(kzt)s KZT at the MCI of %(year)d, this year's: no exit yet.") % values
            )
        else:  # alerts stored before the basis was kept
            text += " " + _("%(kzt)s KZT at the MCI of %(year)d.") % values
    return text


def _schengen_overstay(params: dict) -> str:
    return ngettext(
        "Overstay of %(days)d day in the Schengen area (stay from %(entry)s).",
        "Overstay of %(days)d days in the Schengen area (stay from %(entry)s).",
        params["days"],
    ) % {"days": params["days"], "entry": day(params["entry"])}


def _visa_expiring(params: dict) -> str:
    return ngettext(
        "%(visa)s expires on %(until)s, in %(days)d day, while a stay depends on it.",
        "%(visa)s expires on %(until)s, in %(days)d days, while a stay depends on it.",
        params["days"],
    ) % {"visa": _visa(params), "until": day(params["until"]), "days": params["days"]}


def _visa_outside_validity(params: dict) -> str:
    return _("A stay on %(visa)s runs outside its validity from %(date)s.") % {
        "visa": _visa(params),
        "date": day(params["date"]),
    }


def _visa_days_exceeded(params: dict) -> str:
    return _("Stays on %(visa)s exceed its %(allowed)s allowed days from %(date)s.") % {
        "visa": _visa(params),
        "allowed": params["allowed"],
        "date": day(params["date"]),
    }


def _montage(params: dict) -> str:
    return _("%(days)d Montage days this year (at most %(cap)d).") % params


def _tax_approaching(params: dict) -> str:
    if params.get("date"):
        return _("%(days)d days in Kazakhstan in 12 months; day 184 would be %(date)s.") % {
            "days": params["days"],
            "date": day(params["date"]),
        }
    return _("%(days)d days in Kazakhstan in 12 months (salary tax moves after 183).") % params


def _tax_crossed(params: dict) -> str:
    text = _(
        "More than 183 days in Kazakhstan in 12 months since %(date)s: salary is taxable there."
    ) % {"date": day(params["date"])}
    if params.get("next"):
        text += " " + _("The planned trips cross 183 days again on %(date)s.") % {
            "date": day(params["next"])
        }
    return text


def _citizenship_not_modelled(params: dict) -> str:
    return _(
        "The rules for citizens of %(country)s are not modelled: the days are counted "
        "as for a German citizen. Check the limits that apply."
    ) % {"country": COUNTRY_NAMES.get(params["citizenship"], params["citizenship"])}


def _same_day_choice(params: dict) -> str:
    text = (
        _(
            "A same-day exit and re-entry in %(area)s is counted as one stay; counted "
            "as a new border crossing, the verdict would differ."
        )
        if params["merged"]
        else _(
            "A same-day exit and re-entry in %(area)s is counted as a new border "
            "crossing; counted as one stay, the verdict would differ."
        )
    )
    return text % {"area": area_name(params.get("area", ""))}


def visa_needed_text(params: dict) -> str:
    """A trip that needs a visa, naming the visas that fit and what is recorded instead."""
    kinds = ", ".join(str(VisaKind(kind).label) for kind in params["kinds"])
    values = {
        "country": COUNTRY_NAMES.get(params["country"], params["country"]),
        "entry": day(params["entry"]),
        "purpose": Purpose(params["purpose"]).label,
        "kinds": kinds,
    }
    if params.get("national"):
        values["state"] = COUNTRY_NAMES.get(params["national"], params["national"])
        return (
            _(
                "The trip to %(country)s from %(entry)s (%(purpose)s) needs a national visa of "
                "%(state)s, which staysite does not record: check it, then resolve this alert."
            )
            % values
        )
    if params["recorded"]:
        values["recorded"] = VisaKind(params["recorded"]).label
        return (
            _(
                "The trip to %(country)s from %(entry)s (%(purpose)s) needs one of: %(kinds)s; "
                "the recorded %(recorded)s does not fit."
            )
            % values
        )
    return (
        _(
            "The trip to %(country)s from %(entry)s (%(purpose)s) needs a visa: one of %(kinds)s. "
            "None is recorded."
        )
        % values
    )


# Each kind of finding and the function that words it (`describe`).
WORDS: dict[str, Callable[[dict], str]] = {
    AlertKind.ALLOWANCE_LOW: _allowance_low,
    AlertKind.PLAN_BREAKS_ALLOWANCE: _plan_breaks_allowance,
    AlertKind.STAY_DAY: _stay_day,
    AlertKind.EXIT_SOON: _exit_soon,
    AlertKind.EQONAQ_DUE: _eqonaq_due,
    AlertKind.EQONAQ_OVERDUE: _eqonaq_overdue,
    AlertKind.REGISTRATION_NEEDED: _registration_needed,
    AlertKind.REGISTRATION_AHEAD: _registration_ahead,
    AlertKind.OVERSTAY_WARNING: _kz_overstay,
    AlertKind.OVERSTAY_SANCTION: _kz_overstay,
    AlertKind.SCHENGEN_OVERSTAY: _schengen_overstay,
    AlertKind.VISA_EXPIRING: _visa_expiring,
    AlertKind.VISA_OUTSIDE_VALIDITY: _visa_outside_validity,
    AlertKind.VISA_DAYS_EXCEEDED: _visa_days_exceeded,
    AlertKind.VISA_NEEDED: visa_needed_text,
    AlertKind.MONTAGE_APPROACHING: _montage,
    AlertKind.MONTAGE_EXCEEDED: _montage,
    AlertKind.TAX_APPROACHING: _tax_approaching,
    AlertKind.TAX_CROSSED: _tax_crossed,
    AlertKind.CITIZENSHIP_NOT_MODELLED: _citizenship_not_modelled,
    AlertKind.SAME_DAY_CHOICE: _same_day_choice,
}


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
    return str(CONSEQUENCES.get(band, text)) if band is not None else text
