"""The alert queue kept in step with the findings: the only place alerts come from.

`refresh_alerts()` opens, updates and closes alerts so that they say what the findings say;
after a change to one traveller, `refresh_alerts_for_traveller()` does the same and hands the
new urgent alerts to `trips.notify`, which only sends the emails.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import rules

from . import notify, wording
from .choices import STATUS_URGENCY, AlertKind, Status
from .findings import Finding, evaluate
from .models import Alert, AlertEvent, Traveller
from .stays import with_related

logger = logging.getLogger(__name__)


@dataclass
class RefreshResult:
    """What one run of `refresh_alerts()` did."""

    travellers: int = 0
    opened: int = 0
    updated: int = 0
    closed: int = 0
    cleared: int = 0
    unchanged: int = 0
    failed: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.travellers} travellers: {self.opened} alerts opened, "
            f"{self.updated} updated, {self.closed} closed, {self.cleared} cleared, "
            f"{self.unchanged} unchanged"
        )
        return text + (f", {self.failed} travellers failed" if self.failed else "")


def refresh_alerts(*, on: date, travellers=None, batch_size: int = 200) -> RefreshResult:
    """Make the alerts agree with the findings on `on`: the only place alerts come from.

    For each traveller, a finding without a live alert opens one; a live alert whose finding
    is gone closes with the reason (or, if someone resolved it, records that the situation
    ended, so that it may arise again); the others take the finding's severity, due date and
    details. Running it twice changes nothing; two runs at once are kept from opening the
    same alert twice by the database (`trips_alert_one_live_alert_per_subject`).
    """
    if travellers is None:
        travellers = Traveller.objects.all()
    result = RefreshResult()
    pks = list(travellers.order_by("pk").values_list("pk", flat=True))
    live = Prefetch("alerts", queryset=Alert.objects.live().order_by("pk"), to_attr="live_alerts")
    for start in range(0, len(pks), batch_size):
        batch = with_related(Traveller.objects.filter(pk__in=pks[start : start + batch_size]))
        for traveller in batch.prefetch_related(live).order_by("pk"):
            try:
                findings = _current_findings(traveller, on=on)
            except rules.RequestError:
                # Data the engine refuses (an open trip starting after `on`): keep this
                # traveller's alerts as they are rather than close them, and go on.
                logger.exception("Alerts of traveller %s not refreshed", traveller.pk)
                result.failed += 1
                continue
            result.travellers += 1
            if _in_step(traveller.live_alerts, findings):
                result.unchanged += len(findings)
                continue  # the common case in a daily run: no transaction, no query
            with transaction.atomic():
                _refresh_traveller_alerts(traveller, findings, on=on, result=result)
    return result


def refresh_alerts_for_traveller(traveller_pk: int, *, on: date) -> RefreshResult:
    """One traveller's alerts (run after commit); the worker emails any new urgent one."""
    return refresh_alerts_for_travellers([traveller_pk], on=on)


def refresh_alerts_for_travellers(traveller_pks: list[int], *, on: date) -> RefreshResult:
    """Some travellers' alerts in one run (after commit); the worker emails any new urgent one."""
    result = refresh_alerts(on=on, travellers=Traveller.objects.filter(pk__in=traveller_pks))
    if result.opened or result.updated:
        notify.queue_emails()
    return result


def _current_findings(traveller: Traveller, *, on: date) -> dict[tuple[str, str], Finding]:
    if not traveller.active or traveller.erased_at is not None:
        return {}
    return {(f.kind, f.subject): f for f in evaluate(traveller, on=on).findings}


def _in_step(alerts: Sequence[Alert], findings: dict[tuple[str, str], Finding]) -> bool:
    """Whether the live alerts say exactly what the findings say."""
    if len(alerts) != len(findings):
        return False
    for alert in alerts:
        finding = findings.get((alert.kind, alert.subject))
        if finding is None or _changes(alert, finding):
            return False
    return True


def _changes(alert: Alert, finding: Finding) -> dict:
    fields = {
        "severity": finding.severity,
        "due_on": finding.due_on,
        "params": finding.params,
        "rule_key": finding.rule_key,
    }
    changes = {name: value for name, value in fields.items() if getattr(alert, name) != value}
    worse = STATUS_URGENCY[finding.severity] > STATUS_URGENCY[Status(alert.severity)]
    if alert.state == Alert.State.RESOLVED and worse:
        # Resolved while it was milder (a planned stay outside a visa, now a real one).
        changes |= {"state": Alert.State.OPEN, "resolved_at": None}
    return changes


def _refresh_traveller_alerts(
    traveller: Traveller, findings: dict, *, on: date, result: RefreshResult
) -> None:
    now = timezone.now()
    for alert in traveller.live_alerts:
        finding = findings.pop((alert.kind, alert.subject), None)
        if finding is not None:
            _update_alert(alert, finding, result=result)
        elif alert.state == Alert.State.RESOLVED:
            cleared = Alert.objects.filter(
                pk=alert.pk, state=Alert.State.RESOLVED, cleared_at__isnull=True
            ).update(cleared_at=now)
            if cleared:
                alert.record(AlertEvent.Action.CLEARED, note=_closing_reason(traveller, alert, on))
                result.cleared += 1
        else:
            reason = _closing_reason(traveller, alert, on)
            closed = Alert.objects.filter(pk=alert.pk, state__in=Alert.ACTIVE_STATES).update(
                state=Alert.State.CLOSED, closed_at=now, closed_reason=reason[:300]
            )
            if closed:
                alert.record(AlertEvent.Action.CLOSED, note=reason)
                result.closed += 1
    # A fixed order, so that two overlapping runs take the same locks in the same order.
    for kind, subject in sorted(findings):
        finding = findings[(kind, subject)]
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    traveller=traveller,
                    kind=finding.kind,
                    subject=finding.subject,
                    severity=finding.severity,
                    due_on=finding.due_on,
                    params=finding.params,
                    rule_key=finding.rule_key,
                    opened_on=on,
                )
                alert.record(AlertEvent.Action.OPENED)
        except IntegrityError:
            # Another run opened it a moment ago: the constraint did its job.
            result.unchanged += 1
        else:
            result.opened += 1


def _update_alert(alert: Alert, finding: Finding, *, result: RefreshResult) -> None:
    changes = _changes(alert, finding)
    if not changes:
        result.unchanged += 1
        return
    Alert.objects.filter(pk=alert.pk).update(**changes)
    if changes.get("state") == Alert.State.OPEN:
        alert.record(AlertEvent.Action.REOPENED, note=str(Status(finding.severity).label))
    result.updated += 1


def _closing_reason(traveller: Traveller, alert: Alert, on: date) -> str:
    """Why an alert's situation ended, in the site's language (it is stored, not shown live)."""
    with translation.override(settings.LANGUAGE_CODE):
        if not traveller.active or traveller.erased_at is not None:
            return _("The traveller is no longer active.")
        if alert.kind in {AlertKind.EQONAQ_DUE, AlertKind.EQONAQ_OVERDUE}:
            filed = _eqonaq_filed_on(traveller, alert.subject)
            if filed is not None:
                return _("Notification filed on %(date)s.") % {"date": wording.day(filed)}
        if alert.kind == AlertKind.EQONAQ_DUE:
            # Not filed by the deadline: the overdue alert takes over.
            return _("The deadline passed: now overdue.")
        return _("No longer the case on %(date)s.") % {"date": wording.day(on)}


def _eqonaq_filed_on(traveller: Traveller, subject: str) -> date | None:
    """The filing date of the notification that discharged an eQonaq duty, if any."""
    _prefix, what, pk = (subject.split(":") + ["", "", ""])[:3]
    for trip in traveller.trips.all():
        if what == "trip" and str(trip.pk) == pk:
            filed = [n.filed_on for n in trip.notifications.all() if n.reason == "arrival"]
            return min(filed, default=None)
        for change in trip.address_changes.all():
            if what == "change" and str(change.pk) == pk:
                return min((n.filed_on for n in change.notifications.all()), default=None)
    return None
