"""The conformance page's words: each published example, its request and its answers, and
each open point, in the reader's language.

The engine keeps its examples and open points as data with short English labels; their words
here are keyed by the same keys, so every language has them (a test finds a key left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import zip_longest
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trips.countries import country_name
from trips.dates import day, span
from trips.evaluation.conformance import ExampleCheck
from trips.models import Organisation
from trips.wording import area_name

EXAMPLE_TITLES: dict[str, Promise] = {
    "sem-1-reentry-after-47-days": gettext_lazy(
        "Re-entry on 1 Jan 2015 after 47 days in Aug–Sep 2014"
    ),
    "sem-2-possible-stay-until": gettext_lazy("Exit on 30 Nov 2014 at Geneva"),
    "sem-4-days-rolling-off": gettext_lazy("Exit control on 30 Jan 2014, old days rolling off"),
    "sem-5-overstay": gettext_lazy("Exit on 9 Jun 2014 with an overstay"),
    "sem-5-planning": gettext_lazy("Re-entry on 30 Aug 2014 after the overstay"),
    "sem-6-control-on-1-march-2014": gettext_lazy("Control on exit on 1 Mar 2014"),
    "rules-1-entry-day-is-day-1": gettext_lazy(
        "Kazakhstan visa-free: entry on 1 Jan, last legal day 30 Jan"
    ),
    "rules-3-friday-arrival": gettext_lazy("eQonaq: arrival late on a Friday"),
    "rules-5-overstay-1-days": gettext_lazy("Kazakhstan: an overstay of 1 day"),
    "rules-5-overstay-3-days": gettext_lazy("Kazakhstan: an overstay of 3 days"),
    "rules-5-overstay-4-days": gettext_lazy("Kazakhstan: an overstay of 4 days"),
    "rules-12-d-visa-insurance": gettext_lazy(
        "German D visa: insurance for the first 90 days of the stay"
    ),
}

OPEN_POINT_TITLES: dict[str, Promise] = {
    "koap_517_amounts": gettext_lazy(
        "KoAP art. 517(3): the fines for overstays of 6–10 and of more than 10 days"
    ),
    "dta_12_months": gettext_lazy(
        "Double-tax treaty art. 15(2)(a): 12 months, or a calendar or tax year"
    ),
    "kz_entry_day": gettext_lazy("Kazakhstan: whether the 30 days count the entry day"),
    "kz_window_includes_check_day": gettext_lazy(
        "Kazakhstan: whether the 180-day window includes the day checked"
    ),
    "eqonaq_arrival_day": gettext_lazy("eQonaq: whether the arrival day is working day 1"),
    "german_residence_permit": gettext_lazy(
        "Whether Germans can get a temporary residence permit for more than 30 days"
    ),
    "b12_1_extensions": gettext_lazy("B12-1 visa: one extension or three"),
    "montage_year": gettext_lazy(
        "Montage's 120 days within a year: the calendar year, a rolling year or the visa year"
    ),
    "egov_annual_cap": gettext_lazy(
        "egov.kz's 120 days in a calendar year for visa-free visitors: in force or not"
    ),
}

ANSWER_NAMES: dict[str, Promise] = {
    "planned_max_stay_days": gettext_lazy("Longest stay from the planned entry (days)"),
    "latest_legal_exit": gettext_lazy("Latest legal exit"),
    "excess_days": gettext_lazy("Days over the limit"),
    "eqonaq_deadline": gettext_lazy("eQonaq deadline"),
    "overstay_days": gettext_lazy("Days of overstay"),
    "overstay_tier": gettext_lazy("Consequence"),
    "insurance_cover_until": gettext_lazy("Health insurance needed until"),
}

TIERS: dict[str, Promise] = {
    "warning": gettext_lazy("a warning"),
    "sanction": gettext_lazy("a fine or expulsion"),
}


@dataclass(frozen=True)
class ExampleRow:
    key: str
    title: str
    publisher: str
    source_title: str
    url: str
    quote: str
    request: list[str]
    # Each figure: its name, the official answer and staysite's.
    figures: list[tuple[str, str, str]]
    agrees: bool


def example_row(check: ExampleCheck) -> ExampleRow:
    example = check.example
    return ExampleRow(
        key=example.key,
        title=str(EXAMPLE_TITLES[example.key]),
        publisher=example.source.publisher,
        source_title=example.source.title,
        url=example.source.url,
        quote=example.source.quote,
        request=request_lines(example.request),
        figures=[
            (official[0] or ours[0], official[1], ours[1])
            for official, ours in zip_longest(
                answer_lines(example.official), answer_lines(check.staysite), fillvalue=("", "–")
            )
        ],
        agrees=check.agrees,
    )


def request_lines(request: Any) -> list[str]:
    """What was asked, one line a fact: the area, the day, the stays, the plan, the visas."""
    area = area_name("schengen" if request["regime"] == "schengen" else "kz")
    lines = [_("In %(area)s, asked on %(day)s") % {"area": area, "day": day(request["on"])}]
    for stay in request.get("stays", []):
        entry = date.fromisoformat(stay["entry"])
        lines.append(_("Stay: %(span)s") % {"span": span(entry, _as_day(stay.get("exit")))})
    if request.get("planned_entry"):
        lines.append(_("Planned entry: %(day)s") % {"day": day(request["planned_entry"])})
    if request.get("citizenship"):
        country = country_name(request["citizenship"])
        lines.append(_("Citizenship: %(country)s") % {"country": country})
    for visa in request.get("visas") or []:
        lines.append(_("Visa valid from %(day)s") % {"day": day(visa["valid_from"])})
    return lines


def answer_lines(answer: Any) -> list[tuple[str, str]]:
    """An answer's figures as (name, value) pairs, the visas' figures flattened."""
    lines = []
    for key, value in answer.items():
        if key == "visas":
            for visa in value or []:
                lines.extend(answer_lines(visa))
            continue
        lines.append((str(ANSWER_NAMES.get(key, key)), _value(key, value)))
    return lines


def _value(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key == "overstay_tier":
        return str(TIERS.get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return day(value)
    return str(value)


def _as_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class OpenPointRow:
    key: str
    title: str
    section: str
    decided_by: str


def open_point_row(point: Any) -> OpenPointRow:
    return OpenPointRow(
        point.key, str(OPEN_POINT_TITLES[point.key]), point.section, _decided(point)
    )


def _decided(point: Any) -> str:
    """What decides the point in staysite: a setting of the organisation's, an option of the
    engine's, or the reading the documentation gives."""
    if point.kind == "option":
        try:
            setting = getattr(Organisation._meta.get_field(point.option), "verbose_name", "")
        except FieldDoesNotExist:
            return _("The engine's option %(option)s decides it (default: %(default)s).") % {
                "option": point.option,
                "default": point.default,
            }
        return _("The organisation's setting “%(setting)s” decides it (default: %(default)s).") % {
            "setting": setting,
            "default": point.default,
        }
    if point.kind == "table":
        return _("Not known yet: staysite names these overstays but gives no amount.")
    return _("Not a setting: staysite follows the reading its documentation gives.")
