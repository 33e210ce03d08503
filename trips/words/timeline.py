"""The timeline picture on the traveller page: usage day by day against the limit, the trips
as bars, today and the days coming back, drawn as an inline SVG with a text equivalent."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trips.dates import day
from trips.evaluation.details import RegimeDetails
from trips.wording import area_name

DAY_WIDTH = 2
LEFT = 44
TOP = 16
CHART_HEIGHT = 120
TRIP_LANE = TOP + CHART_HEIGHT + 14
ROLL_LANE = TRIP_LANE + 18
AXIS = ROLL_LANE + 24
HEIGHT = AXIS + 8


@dataclass(frozen=True)
class _Scale:
    """Where a day and a count fall in the picture: days left to right, counts bottom up."""

    start: date
    end: date
    top_value: int

    def x(self, d: date) -> int:
        return LEFT + (d - self.start).days * DAY_WIDTH

    def y(self, value: int) -> float:
        return round(TOP + CHART_HEIGHT * (1 - value / self.top_value), 1)


def timeline_svg(details: RegimeDetails, on: date) -> tuple[SafeString, list[str]]:
    """The usage day by day against the limit, trips as bars, today and the days coming back.

    Returns the SVG and its text equivalent (a list of facts for screen readers). Every text
    goes through format_html; numbers are computed here, never in the template.
    """
    series = details.series
    start, end = series[0][0], series[-1][0]
    limit = details.explanation.limit
    peak = max(v for _d, v in series)
    scale = _Scale(start, end, max(limit + 10, math.ceil((peak + 10) / 10) * 10))
    key = details.key
    bars, trip_facts = _trip_bars(details.trips, scale, key, on)
    bands, roll_facts = _roll_off_bands(details.explanation.roll_offs, scale)
    parts = [
        _hatch_pattern(key),
        *_month_grid(scale),
        _limit_line(scale, limit),
        *_usage_lines(series, scale, on),
        *bars,
        *bands,
        _today_line(scale, on),
        # The legend is HTML below the picture (templates/trips/timeline_legend.html), so
        # that its words wrap in every language instead of running into each other.
    ]
    summary = _summary(series, limit, on)
    title = _("Days used in %(area)s, %(start)s to %(end)s") % {
        "area": area_name(key),
        "start": day(start),
        "end": day(end),
    }
    svg = format_html(
        '<svg class="timeline" role="img" viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg" '
        'aria-labelledby="timeline-title-{} timeline-desc-{}" data-limit="{}">'
        '<title id="timeline-title-{}">{}</title><desc id="timeline-desc-{}">{}</desc>{}</svg>',
        LEFT + len(series) * DAY_WIDTH + 16,
        HEIGHT,
        key,
        key,
        limit,
        key,
        title,
        key,
        " ".join(summary),
        mark_safe("".join(parts)),  # each part built by format_html
    )
    return svg, summary + trip_facts + roll_facts


def _hatch_pattern(key: str) -> SafeString:
    """The hatching that marks planned trips, one per picture (its id carries the key)."""
    return format_html(
        '<defs><pattern id="hatch-{}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#1c2430" '
        'stroke-width="2"/></pattern></defs>',
        key,
    )


def _month_grid(scale: _Scale) -> list[SafeString]:
    """A grid line and the month's name at the first day of each month in the picture."""
    lines = []
    tick = date(scale.start.year, scale.start.month, 1)
    while tick <= scale.end:
        if tick >= scale.start:
            lines.append(
                format_html(
                    '<line class="timeline-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d5dae1"/>'
                    '<text class="timeline-label" x="{}" y="{}">{}</text>',
                    scale.x(tick),
                    TOP,
                    scale.x(tick),
                    AXIS - 10,
                    scale.x(tick) + 2,
                    AXIS,
                    formats.date_format(tick, "M"),
                )
            )
        tick = date(tick.year + tick.month // 12, tick.month % 12 + 1, 1)
    return lines


def _limit_line(scale: _Scale, limit: int) -> SafeString:
    """The limit, dashed, labelled with its value, and the zero of the count."""
    return format_html(
        '<line class="timeline-limit" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#a3122a" '
        'stroke-width="2" stroke-dasharray="6 3"/>'
        '<text class="timeline-label" x="4" y="{}">{}</text>'
        '<text class="timeline-label" x="4" y="{}">0</text>',
        LEFT,
        scale.y(limit),
        scale.x(scale.end) + DAY_WIDTH,
        scale.y(limit),
        scale.y(limit) + 4,
        limit,
        scale.y(0),
    )


def _usage_lines(series, scale: _Scale, on: date) -> list[SafeString]:
    """Days used: solid up to today, dashed after (what the planned trips would bring)."""
    past = [(d, v) for d, v in series if d <= on]
    future = [(d, v) for d, v in series if d >= on]
    lines = []
    for points, css, dash in ((past, "timeline-used", ""), (future, "timeline-projected", "4 3")):
        if not points:
            continue
        coordinates = " ".join(f"{scale.x(d) + DAY_WIDTH // 2},{scale.y(v)}" for d, v in points)
        lines.append(
            format_html(
                '<polyline class="{}" points="{}" fill="none" stroke="#1f5fa8" stroke-width="2"'
                "{}/>",
                css,
                coordinates,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
            )
        )
    return lines


def _trip_bars(trips, scale: _Scale, key: str, on: date) -> tuple[list[SafeString], list[str]]:
    """The trips in the picture as bars, planned ones hatched, each with its words."""
    bars, facts = [], []
    for trip in trips:
        trip_end = trip.exit or on
        if trip_end < scale.start or trip.entry > scale.end:
            continue
        first, last = max(trip.entry, scale.start), min(trip_end, scale.end)
        planned = trip.is_planned(on=on)
        bars.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="{}" height="10" fill="{}" stroke="#1c2430">'
                "<title>{}</title></rect>",
                "timeline-planned" if planned else "timeline-trip",
                scale.x(first),
                TRIP_LANE,
                ((last - first).days + 1) * DAY_WIDTH,
                f"url(#hatch-{key})" if planned else "#56606e",
                _trip_words(trip, planned, on),
            )
        )
        facts.append(_trip_words(trip, planned, on))
    return bars, facts


def _roll_off_bands(roll_offs, scale: _Scale) -> tuple[list[SafeString], list[str]]:
    """The days when allowance comes back, as outlined bands under the trips, with words."""
    bands, facts = [], []
    for roll in roll_offs:
        if roll.first_date > scale.end:
            continue
        last = min(roll.last_date, scale.end)
        bands.append(
            format_html(
                '<rect class="timeline-rolloff" x="{}" y="{}" width="{}" height="6" fill="none" '
                'stroke="#1d7a3a" stroke-dasharray="2 2"/>',
                scale.x(roll.first_date),
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
    return bands, facts


def _today_line(scale: _Scale, on: date) -> SafeString:
    return format_html(
        '<line class="timeline-today" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1c2430" '
        'stroke-width="2"/><text class="timeline-label" x="{}" y="{}">{}</text>',
        scale.x(on) + DAY_WIDTH // 2,
        TOP - 4,
        scale.x(on) + DAY_WIDTH // 2,
        AXIS - 10,
        scale.x(on) + 4,
        TOP - 6,
        _("today"),
    )


def _summary(series, limit: int, on: date) -> list[str]:
    """The picture in sentences: today's count, the peak the planned trips bring, the first
    day over the limit."""
    used_today = next(v for d, v in series if d == on)
    summary = [
        _("Today, %(date)s: %(used)d of %(limit)d days used in the last 180 days.")
        % {"date": day(on), "used": used_today, "limit": limit},
    ]
    future = [(d, v) for d, v in series if d >= on]
    peak_ahead = max(future, key=lambda p: p[1]) if future else None
    if peak_ahead is not None and peak_ahead[1] > used_today:
        summary.append(
            _("With the planned trips, the count peaks at %(n)d days on %(date)s.")
            % {"n": peak_ahead[1], "date": day(peak_ahead[0])}
        )
    over = next((d for d, v in series if v > limit), None)
    if over is not None:
        summary.append(_("Over the limit on %(date)s.") % {"date": day(over)})
    return summary


def _trip_words(trip, planned: bool, on: date) -> str:
    end = trip.exit
    values = {"country": trip.country_name, "entry": day(trip.entry), "exit": day(end)}
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
