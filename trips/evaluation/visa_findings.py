"""Findings about stays on a visa: its validity, its allowed days or entries, its expiry, and
an overstay of a Kazakh visa (docs/rules.md §6-8, read through the engine's visa verdicts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import rules
from trips.choices import AlertKind, Status
from trips.evaluation import entry_findings
from trips.evaluation.finding import Finding
from trips.evaluation.stays import rules_stay, rules_visa
from trips.models import Organisation, Trip, Visa


def visa_findings(trips: Sequence[Trip], organisation: Organisation, *, on: date):
    """Stays that depend on a visa: its validity, its allowed days, its expiry (§6-8)."""
    by_visa: dict[int, list[Trip]] = {}
    visas: dict[int, Visa] = {}
    for trip in trips:
        if trip.visa is not None:
            by_visa.setdefault(trip.visa.pk, []).append(trip)
            visas[trip.visa.pk] = trip.visa
    for visa_id, visa_trips in by_visa.items():
        visa = visas[visa_id]
        verdict = rules.visa_assessment(
            rules_visa(visa), [rules_stay(t) for t in visa_trips], on=on
        )
        subject = f"visa:{visa_id}"
        yield from entry_findings.visa_overstay_findings(verdict, subject, visa_trips)
        rule_key = verdict.rule.key
        # Kind and number, not the name: each reader sees the kind in their own language.
        base = {
            "visa_kind": visa.kind,
            "visa_number": visa.number,
            "until": verdict.expires_on.isoformat(),
        }
        outside = verdict.first_day_outside_validity
        if outside is not None:
            yield Finding(
                AlertKind.VISA_OUTSIDE_VALIDITY,
                Status.OVERSTAY if outside <= on else Status.ACTION,
                subject,
                outside,
                base | {"date": outside.isoformat()},
                rule_key,
            )
        elif verdict.first_violation_date is not None:
            # Over the allowed days or entries (or, for a C visa, its 90/180).
            day = verdict.first_violation_date
            yield Finding(
                AlertKind.VISA_DAYS_EXCEEDED,
                Status.OVERSTAY if day <= on else Status.ACTION,
                subject,
                day,
                base | {"date": day.isoformat(), "allowed": verdict.days_allowed},
                rule_key,
            )
        depends = any(t.exit is None or t.exit >= on for t in visa_trips)
        to_expiry = verdict.days_to_expiry
        if depends and 0 <= to_expiry <= organisation.visa_expiry_warning_days:
            yield Finding(
                AlertKind.VISA_EXPIRING,
                Status.ATTENTION,
                subject,
                verdict.expires_on,
                base | {"days": to_expiry},
                rule_key,
            )
