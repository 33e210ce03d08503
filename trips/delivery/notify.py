"""Emails about alerts: one per new urgent alert, a daily digest of the rest.

Who is told: the traveller's HR owner always; the traveller too for what they can act on
themselves (their own stay, exit and allowance). Every email is in its recipient's language.
`emailed_at` and `digested_on` are claimed with a conditional UPDATE before sending, so that
two runs at once never send the same alert twice.

Emails are sent by the worker (`manage.py db_worker`), never inside a web request: a change
queues `deliver_emails` and the request goes on. The alert row itself is the outbox: an urgent
alert without `emailed_at` is still to be sent, so a lost task or a failed send is made good by
the next delivery (every daily run queues one). A send that fails gives the claim back, so
that the alert is tried again; one that succeeded is never sent again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from trips import wording
from trips.choices import AlertKind, Status
from trips.models import Alert, AlertEvent

logger = logging.getLogger(__name__)

# Alerts about the traveller's own presence, which they can act on by leaving in time.
TRAVELLER_KINDS = {
    AlertKind.ALLOWANCE_LOW,
    AlertKind.PLAN_BREAKS_ALLOWANCE,
    AlertKind.STAY_DAY,
    AlertKind.EXIT_SOON,
    AlertKind.OVERSTAY_WARNING,
    AlertKind.OVERSTAY_SANCTION,
    AlertKind.SCHENGEN_OVERSTAY,
}
URGENT = [Status.ACTION, Status.OVERSTAY]


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def recipients(alert: Alert) -> list[Recipient]:
    traveller = alert.traveller
    found: list[Recipient] = []
    owner = traveller.hr_owner
    if owner is not None and owner.is_active and owner.email:
        found.append(Recipient(owner.email, owner.language or traveller.language))
    own = alert.kind in TRAVELLER_KINDS and traveller.active and traveller.erased_at is None
    if own and traveller.email and traveller.email != getattr(owner, "email", None):
        language = traveller.user.language if traveller.user else traveller.language
        found.append(Recipient(traveller.email, language or traveller.language))
    return found


def _pending(travellers: QuerySet | None) -> QuerySet[Alert]:
    alerts = Alert.objects.active().select_related("traveller__hr_owner", "traveller__user")
    if travellers is not None:
        alerts = alerts.filter(traveller__in=travellers)
    return alerts.filter(emailed_at__isnull=True).order_by("pk")


@task
def deliver_emails(on: str | None = None) -> str:
    """The worker's part: the urgent emails not sent yet; with `on` (an ISO date), the digest
    of that day too. Queued by every change that may open an alert and by the daily run."""
    emails = send_alert_emails()
    digests = send_digests(on=date.fromisoformat(on)) if on else 0
    return f"{emails} alert emails and {digests} digests sent."


def queue_emails(*, on: date | None = None) -> None:
    """Have the worker send what is due. Inside a transaction, the task is part of it."""
    deliver_emails.enqueue(on=on and on.isoformat())


def send_alert_emails(*, travellers: QuerySet | None = None) -> int:
    """One email per open alert of severity action or worse that has not been emailed.

    Stops at the first failure, giving that alert's claim back: the mail server is likely
    down, and the next delivery tries again.
    """
    sent = 0
    for alert in _pending(travellers).filter(severity__in=URGENT):
        now = timezone.now()
        if not Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=now):
            continue  # another run has it
        to = recipients(alert)
        messages = [_message("alert", r, [alert]) for r in to]
        try:
            _send(messages)
        except Exception:
            Alert.objects.filter(pk=alert.pk).update(emailed_at=None)
            logger.exception("Alert %s not emailed; the next delivery tries again", alert.pk)
            break
        alert.record(AlertEvent.Action.EMAILED, note=", ".join(r.email for r in to))
        sent += len(messages)
    return sent


def send_digests(*, on: date, travellers: QuerySet | None = None) -> int:
    """One email per recipient listing the new attention-level alerts (the daily digest)."""
    claimed = [
        alert
        for alert in _pending(travellers).filter(
            severity=Status.ATTENTION, digested_on__isnull=True
        )
        if Alert.objects.filter(
            pk=alert.pk, emailed_at__isnull=True, digested_on__isnull=True
        ).update(digested_on=on)
    ]
    by_recipient: dict[Recipient, list[Alert]] = defaultdict(list)
    for alert in claimed:
        for recipient in recipients(alert):
            by_recipient[recipient].append(alert)
    messages = [
        _message("digest", recipient, alerts, on=on) for recipient, alerts in by_recipient.items()
    ]
    try:
        _send(messages)
    except Exception:
        Alert.objects.filter(pk__in=[a.pk for a in claimed]).update(digested_on=None)
        logger.exception("The digest of %s not sent; the next delivery tries again", on)
        return 0
    for alert in claimed:
        alert.record(AlertEvent.Action.DIGESTED, note=on.isoformat())
    return len(messages)


def _describe(alert: Alert) -> dict:
    """What an email says about one alert, in the active language."""
    return {
        "alert": alert,
        "traveller": alert.traveller.name,
        "kind": alert.get_kind_display(),
        "severity": alert.get_severity_display(),
        "message": wording.describe(alert.kind, alert.params),
        "source": wording.legal_source(alert.rule_key),
        "due_on": alert.due_on,
        "link": settings.STAYSITE_BASE_URL + alert.traveller.get_absolute_url(),
    }


def _message(template: str, recipient: Recipient, alerts: list[Alert], **extra) -> EmailMessage:
    with translation.override(recipient.language):
        items = [_describe(alert) for alert in alerts]
        context = {"alert": items[0], "alerts": items, **extra}
        subject = render_to_string(f"trips/email/{template}_subject.txt", context)
        body = render_to_string(f"trips/email/{template}_body.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=[recipient.email])


def _send(messages: list[EmailMessage]) -> None:
    for message in messages:
        message.send()
