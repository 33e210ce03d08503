"""Findings about the basis of a stay rather than its day counts: a visa the trip needs, a
citizenship whose rules are not modelled, a verdict that rests on the same-day setting, and
an overstay of a Kazakh visa.

Read off the engine's report and verdicts that `trips.evaluation.findings` already has, and off the
records; the one question left for the law (which visa a trip needs) goes through
`trips.evaluation.stays`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from trips.choices import AlertKind, Status
from trips.evaluation import stays
from trips.evaluation.finding import Finding
from trips.models import Traveller, Trip


def same_day_findings(report, area: str, params):
    """The verdict changes with the same-day re-entry setting (docs/rules.md §1, §15).

    docs/rules.md §1 reads a same-day exit and re-entry as a new border crossing, while the
    documented default merges the two stays: whichever the organisation chose, a verdict that
    rests on it says so, so that someone checks it.
    """
    if "merge_same_day_reentry" not in report.depends_on:
        return
    yield Finding(
        AlertKind.SAME_DAY_CHOICE,
        Status.ATTENTION,
        f"{area}:same_day",
        None,
        {"area": area, "merged": params.merge_same_day_reentry},
        "kz_per_stay_cap" if area == "kz" else "schengen_90_180",
    )


def citizenship_findings(report, traveller: Traveller):
    """Rules for this citizenship are not modelled (docs/rules.md §15): say so, do not guess."""
    if report.citizenship_modelled is not False:
        return
    yield Finding(
        AlertKind.CITIZENSHIP_NOT_MODELLED,
        Status.ATTENTION,
        f"citizenship:{traveller.citizenship}",
        None,
        {"citizenship": traveller.citizenship},
        "kz_per_stay_cap",
    )


def visa_needed_findings(trips: Sequence[Trip], traveller: Traveller, *, on: date):
    """A current or planned trip that needs a visa and has none that fits (docs/rules.md §1, §6-8,
    §13): Montage, employment or remote work in Kazakhstan, any stay of a Kazakh citizen in the
    Schengen area."""
    for trip in trips:
        if trip.exit is not None and trip.exit < on:
            continue
        kinds, national = stays.visa_needed(trip, citizenship=traveller.citizenship)
        if not (kinds or national) or (trip.visa is not None and trip.visa.kind in kinds):
            continue
        yield Finding(
            AlertKind.VISA_NEEDED,
            Status.ACTION,
            f"visa_needed:trip:{trip.pk}",
            trip.entry if trip.entry > on else None,
            {
                "country": trip.country,
                "entry": trip.entry.isoformat(),
                "purpose": trip.purpose,
                "kinds": list(kinds),
                "recorded": trip.visa.kind if trip.visa is not None else "",
                # A state's own national visa, which no visa kind of staysite's records.
                "national": national,
            },
            "kz_visas" if trip.country == "KZ" else "schengen_visa",
        )


def visa_overstay_findings(verdict, subject: str, trips: Sequence[Trip]):
    """Days after a Kazakh visa's permitted period, with their KoAP art. 517 band (§5)."""
    if not verdict.overstay_days:
        return
    first = verdict.overstay_from
    entry = max(t.entry for t in trips if t.entry <= first)
    kind = AlertKind.OVERSTAY_WARNING if verdict.overstay_tier == "warning" else None
    yield Finding(
        kind or AlertKind.OVERSTAY_SANCTION,
        Status.OVERSTAY,
        f"{subject}:overstay",
        None,
        {
            "days": verdict.overstay_days,
            "entry": entry.isoformat(),
            "band": verdict.overstay_band,
            "consequence": "",
        },
        "kz_overstay",
    )
