"""The planner's answer in sentences: what the law says about a planned stay, with and without
it, in the reader's language. The figures are `trips.evaluation.planner`'s."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trips.countries import country_name
from trips.dates import day
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
    facts: list[tuple[str, str]] = []
    if answer.latest_legal_exit is None:
        facts.append(
            (_("Latest legal exit for this entry"), _("none: no day is free on that entry day"))
        )
    else:
        facts.append(
            (
                _("Latest legal exit for this entry"),
                ngettext("%(date)s (%(n)d day)", "%(date)s (%(n)d days)", answer.max_stay_days)
                % {"date": day(answer.latest_legal_exit), "n": answer.max_stay_days},
            )
        )
    if answer.exit is None:
        verdict = _("Enter an exit date or a length")
        why = _("For the full answer the planner needs the exit date or the number of days.")
        legal = None
    else:
        legal = answer.legal
        violation = answer.first_violation
        values = {
            "area": area_name(key),
            "date": day(violation),
            "n": answer.length,
            "used": answer.days_used_at_exit or 0,
        }
        if legal:
            verdict = _("Legal")
            why = (
                _(
                    "The %(n)d-day stay fits: on its last day the 180-day window holds "
                    "%(used)d days in %(area)s."
                )
                % values
            )
        elif violation is not None and violation < answer.entry:
            verdict = _("Not legal")
            why = _("The trips already planned break the rule on %(date)s, before this stay.") % (
                values
            )
        elif violation is not None and violation > answer.exit:
            verdict = _("Not legal")
            why = _("This stay makes a later planned trip break the rule on %(date)s.") % values
        else:
            verdict = _("Not legal")
            why = _("The stay breaks the rule on %(date)s.") % values
        if not legal and answer.deciding_rule is not None:
            why += " " + _("Rule: %(title)s (%(source)s).") % {
                "title": rule_title(answer.deciding_rule),
                "source": citation(answer.deciding_rule),
            }
        facts.append(
            (_("First day that would be a violation"), day(violation) if violation else _("none"))
        )
        facts.append(
            (
                _("Earliest entry for a stay of this length"),
                day(answer.earliest_fit) if answer.earliest_fit else _("not within 1000 days"),
            )
        )
    if key == "kz" and answer.exit is not None:
        if answer.registration_required:
            registration = _("yes, by %(date)s") % {"date": day(answer.registration_deadline)}
        else:
            registration = _("no (30 days or fewer)")
        facts.append((_("Temporary registration"), registration))
    if answer.eqonaq_deadline is not None:
        facts.append((_("eQonaq notification by the host"), day(answer.eqonaq_deadline)))
    if answer.tax_days_with is not None:
        facts.append(
            (
                _("Tax days in 12 months up to the exit"),
                _("%(with)d with the plan, %(without)d without")
                % {"with": answer.tax_days_with, "without": answer.tax_days_without},
            )
        )
        facts.append(
            (
                _("Day 184 (183-day rule)"),
                _("%(with)s with the plan, %(without)s without")
                % {
                    "with": day(answer.tax_crossing_with)
                    if answer.tax_crossing_with
                    else _("none"),
                    "without": (
                        day(answer.tax_crossing_without)
                        if answer.tax_crossing_without
                        else _("none")
                    ),
                },
            )
        )
    notes = []
    if answer.assumes_current_stay_ends is not None:
        notes.append(
            _("Assumes the current stay ends on %(date)s.")
            % {"date": day(answer.assumes_current_stay_ends)}
        )
    notes.append(_("The plan is checked as a visa-free stay."))
    return {"legal": legal, "verdict": verdict, "why": why, "facts": facts, "notes": notes}
