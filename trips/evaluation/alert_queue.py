"""The alert queue kept in step with the findings: the only place alerts come from.

`refresh_alerts()` opens, updates and closes alerts so that they say what the findings say;
after a change to one traveller, `refresh_alerts_for_traveller()` does the same and hands the
new urgent alerts to `trips.delivery.notify`, which only sends the emails.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import rules
from trips.choices import STATUS_URGENCY, AlertKind, Status
from trips.dates import day
from trips.delivery import notify, webhooks
from trips.evaluation.bulk import for_evaluation
from trips.evaluation.finding import Finding
from trips.evaluation.findings import TravellerStatus, evaluate
from trips.models import Alert, AlertEvent, Notification, Traveller

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


def refresh_alerts(*, on: date, travellers=None, batch_size: int = 500) -> RefreshResult:
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
    for start in range(0, len(pks), batch_size):
        with transaction.atomic():
            # Read after the lock (services.py takes it too): never from data an edit replaces.
            locked = Traveller.objects.filter(pk__in=pks[start : start + batch_size]).lock()
            batch = with_live_alerts(Traveller.objects.filter(pk__in=locked))
            writes = AlertWrites(on=on, result=result)
            for traveller in for_evaluation(batch.order_by("pk"), on=on):
                try:
                    findings = current_findings(traveller, on=on)
                except rules.RequestError:
                    # Data the engine refuses (an open trip starting after `on`): keep this
                    # traveller's alerts as they are rather than close them, and go on.
                    logger.exception("Alerts of traveller %s not refreshed", traveller.pk)
                    result.failed += 1
                    continue
                writes.add(traveller, findings)
            writes.save()
    return result


def with_live_alerts(travellers):
    """Travellers with their live alerts as `live_alerts`, what `AlertWrites.add` compares."""
    live = Prefetch("alerts", queryset=Alert.objects.live().order_by("pk"), to_attr="live_alerts")
    return travellers.prefetch_related(live)


def refresh_alerts_for_traveller(traveller_pk: int, *, on: date) -> RefreshResult:
    """One traveller's alerts (run after commit); the worker emails any new urgent one."""
    return refresh_alerts_for_travellers([traveller_pk], on=on)


def refresh_alerts_for_travellers(traveller_pks: list[int], *, on: date) -> RefreshResult:
    """Some travellers' alerts in one run (after commit); the worker emails any new urgent one."""
    result = refresh_alerts(on=on, travellers=Traveller.objects.filter(pk__in=traveller_pks))
    if result.opened or result.updated:
        notify.queue_emails()
    return result


def current_findings(traveller: Traveller, *, on: date, status: TravellerStatus | None = None):
    """The findings alerts are kept in step with, by kind and subject (none when inactive)."""
    if not traveller.active or traveller.erased_at is not None:
        return {}
    status = status or evaluate(traveller, on=on)
    return {(f.kind, f.subject): f for f in status.findings}


def in_step(alerts: Sequence[Alert], findings: dict[tuple[str, str], Finding]) -> bool:
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


class AlertWrites:
    """The alert changes of a batch of travellers, written together in a few queries.

    `add()` compares one traveller's live alerts with their findings; `save()` writes what
    differs in one transaction: closes and clears on rows it has locked and found still in
    the state it compared (another run or a reviewer may have moved them since), updates
    grouped by the fields that change, new alerts in one INSERT, and one INSERT of events.
    Should another run open one of the same alerts first, the new alerts are opened one by
    one instead, and the database's constraint keeps each single.
    """

    def __init__(self, *, on: date, result: RefreshResult) -> None:
        self.on, self.result = on, result
        self.updates: dict[tuple[str, ...], list[tuple[Alert, dict]]] = defaultdict(list)
        self.clears: list[tuple[Alert, str]] = []
        self.closes: list[tuple[Alert, str]] = []
        self.opens: list[Alert] = []
        self.events: list[AlertEvent] = []

    def add(self, traveller: Traveller, findings: dict[tuple[str, str], Finding]) -> None:
        self.result.travellers += 1
        live: list[Alert] = traveller.live_alerts  # type: ignore[attr-defined]  # with_live_alerts()
        if in_step(live, findings):
            self.result.unchanged += len(findings)
            return  # the common case in a daily run: nothing to write
        findings = dict(findings)
        for alert in live:
            finding = findings.pop((alert.kind, alert.subject), None)
            if finding is not None:
                changes = _changes(alert, finding)
                if changes:
                    self.updates[tuple(sorted(changes))].append((alert, changes))
                else:
                    self.result.unchanged += 1
            elif alert.state == Alert.State.RESOLVED:
                self.clears.append((alert, _closing_reason(traveller, alert, self.on)))
            else:
                self.closes.append((alert, _closing_reason(traveller, alert, self.on)))
        # A fixed order, so that two overlapping runs take the same locks in the same order.
        for key in sorted(findings):
            self.opens.append(_new_alert(traveller, findings[key], on=self.on))

    def save(self) -> None:
        if not (self.updates or self.clears or self.closes or self.opens):
            return
        with transaction.atomic():
            now = timezone.now()
            self._close(now)
            self._clear(now)
            self._update()
            self._open()
            AlertEvent.objects.bulk_create(self.events)

    def _close(self, now) -> None:
        pks = [alert.pk for alert, _reason in self.closes]
        still = set(_locked(Alert.objects.filter(pk__in=pks, state__in=Alert.ACTIVE_STATES)))
        by_reason: dict[str, list[int]] = defaultdict(list)
        for alert, reason in self.closes:
            if alert.pk in still:
                by_reason[reason].append(alert.pk)
                self.events.append(
                    AlertEvent(alert=alert, action=AlertEvent.Action.CLOSED, note=reason)
                )
        for reason, closing in by_reason.items():
            Alert.objects.filter(pk__in=closing).update(
                state=Alert.State.CLOSED, closed_at=now, closed_reason=reason[:300]
            )
        self.result.closed += len(still)

    def _clear(self, now) -> None:
        pks = [alert.pk for alert, _reason in self.clears]
        resolved = Alert.objects.filter(
            pk__in=pks, state=Alert.State.RESOLVED, cleared_at__isnull=True
        )
        still = set(_locked(resolved))
        Alert.objects.filter(pk__in=still).update(cleared_at=now)
        for alert, reason in self.clears:
            if alert.pk in still:
                self.events.append(
                    AlertEvent(alert=alert, action=AlertEvent.Action.CLEARED, note=reason)
                )
        self.result.cleared += len(still)

    def _update(self) -> None:
        for fields, pairs in self.updates.items():
            for alert, changes in pairs:
                for name, value in changes.items():
                    setattr(alert, name, value)
                if changes.get("state") == Alert.State.OPEN:
                    note = str(Status(alert.severity).label)
                    self.events.append(
                        AlertEvent(alert=alert, action=AlertEvent.Action.REOPENED, note=note)
                    )
            Alert.objects.bulk_update([alert for alert, _changes in pairs], fields)
            self.result.updated += len(pairs)

    def _open(self) -> None:
        if not self.opens:
            return
        try:
            with transaction.atomic():
                opened = Alert.objects.bulk_create(self.opens)
        except IntegrityError:
            # Another run opened some of them a moment ago: one by one, the constraint decides.
            opened = [alert for alert in self.opens if _open_one(alert)]
            self.result.unchanged += len(self.opens) - len(opened)
        self.events += [
            AlertEvent(alert=alert, action=AlertEvent.Action.OPENED) for alert in opened
        ]
        webhooks.record_many(
            [
                (
                    a.organisation_id,
                    webhooks.Kind.ALERT_OPENED,
                    a.traveller_id,
                    webhooks.alert_data(a),
                )
                for a in opened
            ]
        )
        self.result.opened += len(opened)


def _locked(alerts) -> list[int]:
    """The ids of `alerts`, locked until the transaction ends (PostgreSQL; SQLite locks it all)."""
    return list(alerts.select_for_update().values_list("pk", flat=True))


def _new_alert(traveller: Traveller, finding: Finding, *, on: date) -> Alert:
    return Alert(
        traveller=traveller,
        organisation_id=traveller.organisation_id,
        kind=finding.kind,
        subject=finding.subject,
        severity=finding.severity,
        due_on=finding.due_on,
        params=finding.params,
        rule_key=finding.rule_key,
        opened_on=on,
    )


def _open_one(alert: Alert) -> bool:
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError:
        alert.pk = None
        return False
    return True


def _closing_reason(traveller: Traveller, alert: Alert, on: date) -> str:
    """Why an alert's situation ended, in the site's language (it is stored, not shown live)."""
    with translation.override(settings.LANGUAGE_CODE):
        if not traveller.active or traveller.erased_at is not None:
            return _("The traveller is no longer active.")
        if alert.kind in {AlertKind.EQONAQ_DUE, AlertKind.EQONAQ_OVERDUE}:
            filed = _eqonaq_filed_on(alert.subject)
            if filed is not None:
                return _("Notification filed on %(date)s.") % {"date": day(filed)}
        if alert.kind == AlertKind.EQONAQ_DUE:
            # Not filed by the deadline: the overdue alert takes over.
            return _("The deadline passed: now overdue.")
        return _("No longer the case on %(date)s.") % {"date": day(on)}


def _eqonaq_filed_on(subject: str) -> date | None:
    """The filing date of the notification that discharged an eQonaq duty, if any."""
    _prefix, what, pk = (subject.split(":") + ["", "", ""])[:3]
    if not pk.isdigit():
        return None
    if what == "trip":
        filed = Notification.objects.filter(trip=int(pk), reason=Notification.Reason.ARRIVAL)
    elif what == "change":
        filed = Notification.objects.filter(address_change=int(pk))
    else:
        return None
    return filed.aggregate(first=Min("filed_on"))["first"]


def alert_event(kind: str, alert: Alert) -> None:
    """Tell the organisation's webhook endpoints about an alert."""
    data = webhooks.alert_data(alert)
    webhooks.record(alert.organisation_id, kind, alert.traveller_id, data)


def resolve(alert: Alert, note: str, *, by, via: str = "") -> None:
    """Resolve an alert (the review queue and the API) and tell the webhook endpoints."""
    if alert.is_active:
        alert.resolve(note, by=by, via=via)
        alert_event(webhooks.Kind.ALERT_RESOLVED, alert)
