"""The planner's answer in sentences: what the law says about a planned stay, with and without
it, in the reader's language. The figures are `trips.evaluation.planner`'s."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trips.countries import country_name
from trips.dates import day
from trips.evaluation.current_stay import CurrentStay
from trips.evaluation.planner import PlanAnswer
from trips.wording import area_name, citation, rule_title


def plan_lines(answer: PlanAnswer, traveller) -> dict:
    """The planner's answer in words: the verdict, why, and each figure with its label."""
    if answer.regime is None:
        return {
            "legal": True,
            "verdict": _("No short-stay limit"),
            "why": _("No 90/180 rule binds a citizen of %(citizenship)s in %(country)s.")
            % {
                "citizenship": traveller.get_citizenship_display(),
                "country": country_name(answer.country),
            },
            "facts": [],
        }
    key = "kz" if answer.regime == "kz_visa_free" else "schengen"
    facts = [_latest_exit_fact(answer)]
    if answer.exit is None:
        verdict = _("Enter an exit date or a length")
        why = _("For the full answer the planner needs the exit date or the number of days.")
        legal = None
    else:
        legal = answer.legal
        verdict, why = _verdict(answer, key)
        facts += _violation_facts(answer)
    if key == "kz" and answer.exit is not None:
        facts.append((_("Temporary registration"), _registration(answer)))
    if answer.eqonaq_deadline is not None:
        facts.append((_("eQonaq notification by the host"), day(answer.eqonaq_deadline)))
    if answer.tax_days_with is not None:
        facts += _tax_facts(answer)
    return {"legal": legal, "verdict": verdict, "why": why, "facts": facts, "notes": _notes(answer)}


def _latest_exit_fact(answer: PlanAnswer) -> tuple[str, str]:
    label = _("Latest legal exit for this entry")
    # The engine gives both or neither.
    if answer.latest_legal_exit is None or answer.max_stay_days is None:
        return (label, _("none: no day is free on that entry day"))
    return (
        label,
        ngettext("%(date)s (%(n)d day)", "%(date)s (%(n)d days)", answer.max_stay_days)
        % {"date": day(answer.latest_legal_exit), "n": answer.max_stay_days},
    )


def _verdict(answer: PlanAnswer, key: str) -> tuple[str, str]:
    """Legal or not, and why: which stay breaks the rule on which day, and the rule."""
    violation = answer.first_violation
    values = {
        "area": area_name(key),
        "date": day(violation),
        "n": answer.length,
        "used": answer.days_used_at_exit or 0,
    }
    if answer.legal:
        why = (
            _(
                "The %(n)d-day stay fits: on its last day the 180-day window holds "
                "%(used)d days in %(area)s."
            )
            % values
        )
        return _("Legal"), why
    if violation is not None and violation < answer.entry:
        why = _("The trips already planned break the rule on %(date)s, before this stay.") % values
    elif violation is not None and answer.exit is not None and violation > answer.exit:
        why = _("This stay makes a later planned trip break the rule on %(date)s.") % values
    else:
        why = _("The stay breaks the rule on %(date)s.") % values
    if answer.deciding_rule is not None:
        why += " " + _("Rule: %(title)s (%(source)s).") % {
            "title": rule_title(answer.deciding_rule),
            "source": citation(answer.deciding_rule),
        }
    return _("Not legal"), why


def _violation_facts(answer: PlanAnswer) -> list[tuple[str, str]]:
    violation = answer.first_violation
    return [
        (_("First day that would be a violation"), day(violation) if violation else _("none")),
        (
            _("Earliest entry for a stay of this length"),
            day(answer.earliest_fit) if answer.earliest_fit else _("not within 1000 days"),
        ),
    ]


def _registration(answer: PlanAnswer) -> str:
    if answer.registration_required:
        return _("yes, by %(date)s") % {"date": day(answer.registration_deadline)}
    return _("no (30 days or fewer)")


def _tax_facts(answer: PlanAnswer) -> list[tuple[str, str]]:
    """The 183-day count up to the exit and the day it is passed, with and without the plan."""
    with_plan, without = answer.tax_crossing_with, answer.tax_crossing_without
    return [
        (
            _("Tax days in 12 months up to the exit"),
            _("%(with)d with the plan, %(without)d without")
            % {"with": answer.tax_days_with, "without": answer.tax_days_without},
        ),
        (
            _("Day 184 (183-day rule)"),
            _("%(with)s with the plan, %(without)s without")
            % {
                "with": day(with_plan) if with_plan else _("none"),
                "without": day(without) if without else _("none"),
            },
        ),
    ]


def _notes(answer: PlanAnswer) -> list[str]:
    return [_("The plan is checked as a visa-free stay.")]


def current_lines(current: CurrentStay) -> dict:
    """The planner's answer from inside the country: when the current stay is assumed to end
    and why, how long it may last, and when and for how long one may come back."""
    trip = current.trip
    values: dict[str, Any] = {
        "country": trip.country_name,
        "entry": day(trip.entry),
        "exit": day(current.exit),
        "n": current.days_at_exit or (current.exit - trip.entry).days + 1,
    }
    assumption = {
        "chosen": _("The planner assumes you leave %(country)s on %(exit)s, the day you chose."),
        "recorded": _(
            "The planner assumes you leave %(country)s on %(exit)s, the planned exit recorded."
        ),
        "latest_legal": _(
            "The planner assumes you leave %(country)s on %(exit)s, the latest legal exit. "
            "Choose another day to see what changes."
        ),
        "today": _("The planner assumes you leave %(country)s today, %(exit)s."),
    }[current.exit_source] % values
    facts: list[tuple[str, str]] = [(_("In the country since"), values["entry"])]
    if current.regime is None:
        return {"assumption": assumption, "legal": None, "verdict": "", "facts": facts}
    # max_days is None exactly when latest_legal_exit is (trips/evaluation/current_stay.py).
    if current.latest_legal_exit is None or current.max_days is None:
        facts.append((_("Latest legal exit"), _("none: the stay is already over the limit")))
    else:
        facts.append(
            (
                _("Longest stay if you extend"),
                ngettext(
                    "until %(date)s (%(n)d day in all)",
                    "until %(date)s (%(n)d days in all)",
                    current.max_days,
                )
                % {"date": day(current.latest_legal_exit), "n": current.max_days},
            )
        )
    if current.legal:
        verdict = _("Leaving on %(exit)s is legal: day %(n)d of the stay.") % values
    else:
        verdict = (
            _("Leaving on %(exit)s is too late: day %(n)d of the stay, over the limit.") % values
        )
    if current.earliest_return is None:
        back = _("not within 1000 days")
    elif current.return_max_days:
        back = ngettext(
            "from %(date)s, for up to %(n)d day (until %(last)s)",
            "from %(date)s, for up to %(n)d days (until %(last)s)",
            current.return_max_days,
        ) % {
            "date": day(current.earliest_return),
            "n": current.return_max_days,
            "last": day(current.return_latest_exit),
        }
    else:
        back = _("from %(date)s") % {"date": day(current.earliest_return)}
    facts.append((_("If you leave on %(exit)s, you may come back") % values, back))
    if current.full_length and current.earliest_full_return:
        facts.append(
            (
                ngettext(
                    "Earliest entry for a full stay of %(n)d day",
                    "Earliest entry for a full stay of %(n)d days",
                    current.full_length,
                )
                % {"n": current.full_length},
                day(current.earliest_full_return),
            )
        )
    return {"assumption": assumption, "legal": current.legal, "verdict": verdict, "facts": facts}
