"""Words and pictures for the traveller page: the engine's figures, explained in the reader's
language. No law here: every number comes from `trips.assessment` (and so from `rules`); this
module only says it in sentences and draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import assessment
from .countries import COUNTRIES


def day(value: date | None) -> str:
    """A date in the active language's long format ("10 Jan 2026" / "10. Januar 2026")."""
    return "–" if value is None else formats.date_format(value, "DATE_FORMAT")


def number(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def area_name(key: str) -> str:
    return _("Kazakhstan") if key == "kz" else _("the Schengen area")


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


def window_lines(details: assessment.RegimeDetails, on: date) -> list[str]:
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
                % {"date": day(why.latest_legal_exit), "source": why.deciding_rule.section}
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
                    "source": why.deciding_rule.section,
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


def overstay_lines(details: assessment.RegimeDetails) -> list[str]:
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
        text = assessment.consequence_text(consequence.band, consequence.text)
        lines.append(
            _("Tier: %(tier)s (%(band)s days). %(text)s")
            % {
                "tier": _("warning") if consequence.tier == "warning" else _("sanction"),
                "band": consequence.band,
                "text": text,
            }
        )
        if consequence.fine_kzt is not None:
            lines.append(
                _("Fine: %(kzt)s KZT (%(mci)d MCI at %(rate)s KZT).")
                % {
                    "kzt": number(consequence.fine_kzt),
                    "mci": consequence.fine_mci,
                    "rate": number(consequence.mci_kzt),
                }
            )
        lines.append(
            _("Source: %(source)s")
            % {"source": f"{consequence.rule.legal_basis} ({consequence.rule.section})"}
        )
    return lines


def regime_card(details: assessment.RegimeDetails, on: date) -> RegimeCard:
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
        source=f"{why.rules[0].legal_basis} ({why.rules[0].section})",
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


def status_cards(details: assessment.StatusDetails, on: date) -> dict:
    """Everything status_panel.html shows, as plain values and sentences."""
    status = details.status
    kz = next((r for r in details.regimes if r.key == "kz"), None)
    tax = None
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
            "source": assessment.legal_source("dta_183"),
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
    montage = None
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
            "source": assessment.legal_source("kz_montage"),
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
                "source": f"{verdict.rule.legal_basis} ({verdict.rule.section})",
            }
            for visa, verdict in details.visas
        ],
        "montage": montage,
        "tax": tax,
        "other_deadlines": deadlines(details.other_findings, on),
    }


# --- The timeline picture ----------------------------------------------------------------

DAY_WIDTH = 2
LEFT = 44
TOP = 16
CHART_HEIGHT = 120
TRIP_LANE = TOP + CHART_HEIGHT + 14
ROLL_LANE = TRIP_LANE + 18
AXIS = ROLL_LANE + 24
LEGEND = AXIS + 22
HEIGHT = LEGEND + 14


def timeline_svg(details: assessment.RegimeDetails, on: date) -> tuple[SafeString, list[str]]:
    """The usage day by day against the limit, trips as bars, today and the days coming back.

    Returns the SVG and its text equivalent (a list of facts for screen readers). Every text
    goes through format_html; numbers are computed here, never in the template.
    """
    series = details.series
    start, end = series[0][0], series[-1][0]
    days = len(series)
    width = LEFT + days * DAY_WIDTH + 16
    limit = details.explanation.limit
    peak = max(v for _d, v in series)
    top_value = max(limit + 10, math.ceil((peak + 10) / 10) * 10)

    def x(d: date) -> int:
        return LEFT + (d - start).days * DAY_WIDTH

    def y(value: int) -> float:
        return round(TOP + CHART_HEIGHT * (1 - value / top_value), 1)

    key = details.key
    parts: list[SafeString] = []
    parts.append(
        format_html(
            '<defs><pattern id="hatch-{}" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#1c2430" '
            'stroke-width="2"/></pattern></defs>',
            key,
        )
    )
    # Month ticks along the axis.
    tick = date(start.year, start.month, 1)
    while tick <= end:
        if tick >= start:
            parts.append(
                format_html(
                    '<line class="timeline-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d5dae1"/>'
                    '<text class="timeline-label" x="{}" y="{}">{}</text>',
                    x(tick),
                    TOP,
                    x(tick),
                    AXIS - 10,
                    x(tick) + 2,
                    AXIS,
                    formats.date_format(tick, "M"),
                )
            )
        tick = date(tick.year + tick.month // 12, tick.month % 12 + 1, 1)
    # The limit line, dashed, labelled with its value.
    parts.append(
        format_html(
            '<line class="timeline-limit" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#a3122a" '
            'stroke-width="2" stroke-dasharray="6 3"/>'
            '<text class="timeline-label" x="4" y="{}">{}</text>'
            '<text class="timeline-label" x="4" y="{}">0</text>',
            LEFT,
            y(limit),
            x(end) + DAY_WIDTH,
            y(limit),
            y(limit) + 4,
            limit,
            y(0),
        )
    )
    # Days used: solid up to today, dashed after (what the planned trips would bring).
    past = [(d, v) for d, v in series if d <= on]
    future = [(d, v) for d, v in series if d >= on]
    for points, css, dash in ((past, "timeline-used", ""), (future, "timeline-projected", "4 3")):
        if not points:
            continue
        coordinates = " ".join(f"{x(d) + DAY_WIDTH // 2},{y(v)}" for d, v in points)
        parts.append(
            format_html(
                '<polyline class="{}" points="{}" fill="none" stroke="#1f5fa8" stroke-width="2"'
                "{}/>",
                css,
                coordinates,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
            )
        )
    # Trips and planned trips as bars: planned ones hatched and outlined.
    facts: list[str] = []
    for trip in details.trips:
        trip_end = trip.exit or on
        if trip_end < start or trip.entry > end:
            continue
        first, last = max(trip.entry, start), min(trip_end, end)
        planned = trip.is_planned(on=on)
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="{}" height="10" fill="{}" stroke="#1c2430">'
                "<title>{}</title></rect>",
                "timeline-planned" if planned else "timeline-trip",
                x(first),
                TRIP_LANE,
                ((last - first).days + 1) * DAY_WIDTH,
                f"url(#hatch-{key})" if planned else "#56606e",
                _trip_words(trip, planned, on),
            )
        )
        facts.append(_trip_words(trip, planned, on))
    # Days when allowance returns: an outlined band under the trips.
    for roll in details.explanation.roll_offs:
        if roll.first_date > end:
            continue
        last = min(roll.last_date, end)
        parts.append(
            format_html(
                '<rect class="timeline-rolloff" x="{}" y="{}" width="{}" height="6" fill="none" '
                'stroke="#1d7a3a" stroke-dasharray="2 2"/>',
                x(roll.first_date),
                ROLL_LANE,
                ((last - roll.first_date).days + 1) * DAY_WIDTH,
            )
        )
        facts.append(
            ngettext(
                "%(n)d day comes back from %(first)s to %(last)s.",
                "%(n)d days come back, one a day, from %(first)s to %(last)s.",
                roll.days,
            )
            % {"n": roll.days, "first": day(roll.first_date), "last": day(roll.last_date)}
        )
    # Today.
    parts.append(
        format_html(
            '<line class="timeline-today" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1c2430" '
            'stroke-width="2"/><text class="timeline-label" x="{}" y="{}">{}</text>',
            x(on) + DAY_WIDTH // 2,
            TOP - 4,
            x(on) + DAY_WIDTH // 2,
            AXIS - 10,
            x(on) + 4,
            TOP - 6,
            _("today"),
        )
    )
    # Legend, so the picture reads without colour.
    legend = [
        ("timeline-trip", "#56606e", _("trip")),
        ("timeline-planned", f"url(#hatch-{key})", _("planned trip")),
    ]
    lx = LEFT
    for css, fill, label in legend:
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="14" height="10" fill="{}" '
                'stroke="#1c2430"/><text class="timeline-label" x="{}" y="{}">{}</text>',
                css,
                lx,
                LEGEND - 9,
                fill,
                lx + 18,
                LEGEND,
                label,
            )
        )
        lx += 130
    parts.append(
        format_html(
            '<rect x="{}" y="{}" width="14" height="6" fill="none" stroke="#1d7a3a" '
            'stroke-dasharray="2 2"/><text class="timeline-label" x="{}" y="{}">{}</text>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#a3122a" stroke-width="2" '
            'stroke-dasharray="6 3"/><text class="timeline-label" x="{}" y="{}">{}</text>',
            lx,
            LEGEND - 7,
            lx + 18,
            LEGEND,
            _("days come back"),
            lx + 150,
            LEGEND - 4,
            lx + 170,
            LEGEND - 4,
            lx + 176,
            LEGEND,
            _("limit: %(n)d days") % {"n": limit},
        )
    )

    used_today = next(v for d, v in series if d == on)
    summary = [
        _("Today, %(date)s: %(used)d of %(limit)d days used in the last 180 days.")
        % {"date": day(on), "used": used_today, "limit": limit},
    ]
    peak_ahead = max(future, key=lambda p: p[1]) if future else None
    if peak_ahead is not None and peak_ahead[1] > used_today:
        summary.append(
            _("With the planned trips, the count peaks at %(n)d days on %(date)s.")
            % {"n": peak_ahead[1], "date": day(peak_ahead[0])}
        )
    over = next((d for d, v in series if v > limit), None)
    if over is not None:
        summary.append(_("Over the limit on %(date)s.") % {"date": day(over)})
    facts = summary + facts

    title = _("Days used in %(area)s, %(start)s to %(end)s") % {
        "area": area_name(key),
        "start": day(start),
        "end": day(end),
    }
    desc = " ".join(summary)
    svg = format_html(
        '<svg class="timeline" role="img" viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg" '
        'aria-labelledby="timeline-title-{} timeline-desc-{}" data-limit="{}">'
        '<title id="timeline-title-{}">{}</title><desc id="timeline-desc-{}">{}</desc>{}</svg>',
        width,
        HEIGHT,
        key,
        key,
        limit,
        key,
        title,
        key,
        desc,
        mark_safe("".join(parts)),  # each part built by format_html above
    )
    return svg, facts


def _trip_words(trip, planned: bool, on: date) -> str:
    end = trip.exit
    values = {"country": trip.get_country_display(), "entry": day(trip.entry), "exit": day(end)}
    if end is None:
        return _("Trip to %(country)s since %(entry)s, still there.") % values
    values["n"] = (end - trip.entry).days + 1
    if planned:
        return (
            ngettext(
                "Planned trip to %(country)s, %(entry)s – %(exit)s, %(n)d day.",
                "Planned trip to %(country)s, %(entry)s – %(exit)s, %(n)d days.",
                values["n"],
            )
            % values
        )
    return (
        ngettext(
            "Trip to %(country)s, %(entry)s – %(exit)s, %(n)d day.",
            "Trip to %(country)s, %(entry)s – %(exit)s, %(n)d days.",
            values["n"],
        )
        % values
    )


# --- The planner -------------------------------------------------------------------------


def plan_lines(answer: assessment.PlanAnswer, traveller) -> dict:
    """The planner's answer in words: the verdict, why, and each figure with its label."""
    if answer.regime is None:
        return {
            "legal": True,
            "verdict": _("No short-stay limit"),
            "why": _("No 90/180 rule binds a citizen of %(citizenship)s in %(country)s.")
            % {
                "citizenship": traveller.get_citizenship_display(),
                "country": _country(answer.country),
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
                "title": answer.deciding_rule.title,
                "source": answer.deciding_rule.section,
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


def _country(code: str) -> str:
    return str(dict(COUNTRIES).get(code, code))
