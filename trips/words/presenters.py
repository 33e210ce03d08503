"""Sentences for the traveller page and the planner: the engine's figures, explained in the
reader's language. No law here: every number comes from `trips.evaluation.details` and
`trips.evaluation.planner` (and so from `rules`); this module only says it (the picture is
`trips.words.timeline`'s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trips.dates import day
from trips.evaluation import details as page_details
from trips.wording import area_name, citation, consequence_text, legal_source
from trips.words.timeline import timeline_svg


def number(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def days_to_go(due: date, on: date) -> str:
    delta = (due - on).days
    if delta == 0:
        return _("today")
    if delta < 0:
        return ngettext("%(n)d day ago", "%(n)d days ago", -delta) % {"n": -delta}
    return ngettext("in %(n)d day", "in %(n)d days", delta) % {"n": delta}


@dataclass
class Deadline:
    message: str
    due_on: date | None
    to_go: str
    source: str
    severity: str


@dataclass
class RegimeCard:
    key: str
    title: str
    days_used: int
    days_left: int
    limit: int
    present: bool
    headline: str
    lines: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    overstay: list[str] = field(default_factory=list)
    source: str = ""
    timeline: SafeString | None = None
    timeline_facts: list[str] = field(default_factory=list)


def deadlines(findings, on: date) -> list[Deadline]:
    ordered = sorted(findings, key=lambda f: (f.due_on or date.max, f.kind))
    return [
        Deadline(
            message=f.message,
            due_on=f.due_on,
            to_go=days_to_go(f.due_on, on) if f.due_on else "",
            source=f.source,
            severity=str(f.severity),
        )
        for f in ordered
    ]


def window_lines(details: page_details.RegimeDetails, on: date) -> list[str]:
    """The 90/180 figures in sentences: what is in the window, and when days come back."""
    why = details.explanation
    lines = []
    if why.contributions:
        parts = []
        for part in why.contributions:
            if part.exit is None:
                stay = _("trip since %(entry)s") % {"entry": day(part.entry)}
            else:
                stay = _("trip %(entry)s – %(exit)s") % {
                    "entry": day(part.entry),
                    "exit": day(part.exit),
                }
            count = ngettext("%(n)d day", "%(n)d days", part.days) % {"n": part.days}
            if part.first_day_in_window > part.entry:
                count = ngettext(
                    "%(n)d day in the window", "%(n)d days in the window", part.days
                ) % {"n": part.days}
            parts.append(f"{stay}, {count}")
        lines.append(
            ngettext(
                "%(left)d day left: %(used)d day used since %(start)s: %(parts)s.",
                "%(left)d days left: %(used)d days used since %(start)s: %(parts)s.",
                why.days_used,
            )
            % {
                "left": why.remaining,
                "used": why.days_used,
                "start": day(why.window_start),
                "parts": "; ".join(parts),
            }
        )
    else:
        lines.append(
            _("No days used in the 180 days since %(start)s: all %(limit)d days are left.")
            % {"start": day(why.window_start), "limit": why.limit}
        )
    if why.excess_days:
        lines.append(
            ngettext(
                "The window holds %(n)d day more than %(limit)d.",
                "The window holds %(n)d days more than %(limit)d.",
                why.excess_days,
            )
            % {"n": why.excess_days, "limit": why.limit}
        )
    if why.roll_offs:
        roll = why.roll_offs[0]
        if roll.days == 1:
            lines.append(_("The next day comes back on %(date)s.") % {"date": day(roll.first_date)})
        else:
            lines.append(
                _("The next %(n)d days come back one a day from %(first)s to %(last)s.")
                % {"n": roll.days, "first": day(roll.first_date), "last": day(roll.last_date)}
            )
    report = details.report
    if report.present_on_query_date:
        stay_line = _("Day %(day)d of the stay that began on %(entry)s.") % {
            "day": report.current_stay_length,
            "entry": day(report.current_stay_entry),
        }
        lines.append(stay_line)
        if why.latest_legal_exit is None:
            lines.append(
                _("The stay was not legal on its entry day: the window already held %(n)d days.")
                % {"n": why.limit}
            )
        elif why.deciding_rule.key == "kz_per_stay_cap":
            lines.append(
                _("Latest legal exit %(date)s: day 30 of a visa-free stay (%(source)s).")
                % {"date": day(why.latest_legal_exit), "source": citation(why.deciding_rule)}
            )
        else:
            lines.append(
                _(
                    "Latest legal exit %(date)s: after that day the 180-day window would hold "
                    "more than %(limit)d days (%(source)s)."
                )
                % {
                    "date": day(why.latest_legal_exit),
                    "limit": why.limit,
                    "source": citation(why.deciding_rule),
                }
            )
    else:
        lines.append(_("Not in %(area)s today.") % {"area": area_name(details.key)})
    if report.first_violation_date is not None:
        lines.append(
            _("With the planned trips, the first day over the limit would be %(date)s.")
            % {"date": day(report.first_violation_date)}
        )
    return lines


def overstay_lines(details: page_details.RegimeDetails) -> list[str]:
    report = details.report
    if not report.overstay_days:
        return []
    lines = [
        ngettext(
            "Overstay of %(n)d day after the stay from %(entry)s.",
            "Overstay of %(n)d days after the stay from %(entry)s.",
            report.overstay_days,
        )
        % {"n": report.overstay_days, "entry": day(report.overstay_stay_entry)}
    ]
    consequence = details.consequence
    if consequence is not None:
        text = consequence_text(consequence.band, consequence.text)
        lines.append(
            _("Tier: %(tier)s (%(band)s days). %(text)s")
            % {
                "tier": _("warning") if consequence.tier == "warning" else _("sanction"),
                "band": consequence.band,
                "text": text,
            }
        )
        if consequence.fine_kzt is not None and consequence.mci_kzt is not None:  # fine needs rate
            lines.append(
                _("Fine: %(kzt)s KZT (%(mci)d MCI at %(rate)s KZT).")
                % {
                    "kzt": number(consequence.fine_kzt),
                    "mci": consequence.fine_mci,
                    "rate": number(consequence.mci_kzt),
                }
            )
        lines.append(_("Source: %(source)s") % {"source": citation(consequence.rule)})
    return lines


def regime_card(details: page_details.RegimeDetails, on: date) -> RegimeCard:
    why = details.explanation
    title = (
        _("Kazakhstan: 90 days in 180") if details.key == "kz" else _("Schengen: 90 days in 180")
    )
    headline = ngettext(
        "%(left)d day left of %(limit)d", "%(left)d days left of %(limit)d", why.remaining
    ) % {"left": why.remaining, "limit": why.limit}
    timeline, facts = timeline_svg(details, on)
    return RegimeCard(
        key=details.key,
        title=title,
        days_used=why.days_used,
        days_left=why.remaining,
        limit=why.limit,
        present=details.report.present_on_query_date,
        headline=headline,
        lines=window_lines(details, on),
        deadlines=deadlines(details.findings, on),
        overstay=overstay_lines(details),
        source=citation(why.rules[0]),
        timeline=timeline,
        timeline_facts=facts,
    )


def visa_lines(visa, verdict, on: date) -> list[str]:
    lines = []
    if verdict.days_to_expiry >= 0:
        lines.append(
            ngettext(
                "Valid until %(date)s, %(n)d more day.",
                "Valid until %(date)s, %(n)d more days.",
                verdict.days_to_expiry,
            )
            % {"date": day(verdict.expires_on), "n": verdict.days_to_expiry}
        )
    else:
        lines.append(_("Expired on %(date)s.") % {"date": day(verdict.expires_on)})
    if verdict.days_allowed is not None:
        lines.append(
            _("%(used)d of %(allowed)d days of stay used, %(left)d left.")
            % {
                "used": verdict.days_used,
                "allowed": verdict.days_allowed,
                "left": verdict.days_remaining,
            }
        )
    if verdict.entries_allowed is not None:
        lines.append(
            _("%(used)d of %(allowed)d entries used.")
            % {"used": verdict.entries_used, "allowed": verdict.entries_allowed}
        )
    if verdict.latest_legal_exit is not None:
        lines.append(
            _("Latest legal exit on this visa: %(date)s.")
            % {"date": day(verdict.latest_legal_exit)}
        )
    if verdict.first_violation_date is not None:
        lines.append(
            _("Not compliant from %(date)s.") % {"date": day(verdict.first_violation_date)}
        )
    return lines


def status_cards(details: page_details.StatusDetails, on: date) -> dict:
    """Everything status_panel.html shows, as plain values and sentences."""
    status = details.status
    kz = next((r for r in details.regimes if r.key == "kz"), None)
    tax: dict[str, Any] | None = None
    if kz is not None:
        report = kz.report
        tax = {
            "days": report.tax_days,
            "lines": [
                ngettext(
                    "%(n)d day in Kazakhstan in the last 12 months (183-day rule).",
                    "%(n)d days in Kazakhstan in the last 12 months (183-day rule).",
                    report.tax_days,
                )
                % {"n": report.tax_days}
            ],
            "source": legal_source("dta_183"),
        }
        if report.tax_183_exceeded:
            tax["lines"].append(
                _("More than 183 days since %(date)s.")
                % {"date": day(report.tax_183_crossing_date)}
            )
        elif report.tax_183_crossing_date is not None:
            tax["lines"].append(
                _("With the current and planned stays, day 184 would be %(date)s.")
                % {"date": day(report.tax_183_crossing_date)}
            )
    montage: dict[str, Any] | None = None
    if details.montage is not None:
        usage = details.montage
        montage = {
            "days": usage.days,
            "lines": [
                _("%(days)d of %(cap)d Montage days used since %(start)s; %(left)d left.")
                % {
                    "days": usage.days,
                    "cap": usage.cap,
                    "start": day(usage.period_start),
                    "left": usage.remaining,
                }
            ],
            "source": legal_source("kz_montage"),
        }
        if usage.first_violation_date is not None:
            montage["lines"].append(
                _("Over %(cap)d days on %(date)s.")
                % {"cap": usage.cap, "date": day(usage.first_violation_date)}
            )
    return {
        "status": status.status,
        "status_label": status.status.label,
        "reason": status.reason,
        "regimes": [regime_card(r, on) for r in details.regimes],
        "visas": [
            {
                "visa": visa,
                "lines": visa_lines(visa, verdict, on),
                "source": citation(verdict.rule),
            }
            for visa, verdict in details.visas
        ],
        "montage": montage,
        "tax": tax,
        "other_deadlines": deadlines(details.other_findings, on),
    }
