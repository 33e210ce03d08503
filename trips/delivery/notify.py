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

Each recipient's email is a delivery of its own (`EmailDelivery`): one refused address, in
any organisation, holds up nobody else's email. It is retried a bounded number of times with
growing pauses, and the mail server's answer is shown on the alert's page. Only failing to
reach the mail server at all stops a run.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from trips import wording
from trips.choices import AlertKind, Status
from trips.models import Alert, AlertEvent, EmailDelivery

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
    deliver_emails.enqueue(on=on.isoformat() if on is not None else None)


def send_alert_emails(*, travellers: QuerySet | None = None) -> int:
    """One email per recipient of each open alert of severity action or worse.

    Each recipient's email is its own delivery (`EmailDelivery`): a refused address is
    recorded, retried later with a growing pause and at last given up, while every other
    email goes out. Only a failure to reach the mail server stops the run, giving the alert's
    claim back: the server is likely down, and the next delivery tries again.
    """
    sent = 0
    for alert in _pending(travellers).filter(severity__in=URGENT):
        if not Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        ):
            continue  # another run has it
        deliveries = [
            _delivery(alert, EmailDelivery.Kind.ALERT, recipient, None)
            for recipient in recipients(alert)
        ]
        done: list[str] = []
        try:
            for delivery in deliveries:
                if _due(delivery) and _attempt([delivery], "alert", [alert]):
                    done.append(delivery.email)
        except MailServerUnreachable:
            Alert.objects.filter(pk=alert.pk).update(emailed_at=None)
            logger.exception("Alert %s not emailed; the next delivery tries again", alert.pk)
            break
        finally:
            if done or not deliveries:
                alert.record(AlertEvent.Action.EMAILED, note=", ".join(done))
            sent += len(done)
        if any(d.state == EmailDelivery.State.PENDING for d in deliveries):
            # A refused recipient is tried again by a later delivery.
            Alert.objects.filter(pk=alert.pk).update(emailed_at=None)
    return sent


def send_digests(*, on: date, travellers: QuerySet | None = None) -> int:
    """One email per recipient listing the new attention-level alerts (the daily digest),
    and the digests a recipient's mail server refused before, when their retry is due."""
    claimed = [
        alert
        for alert in _pending(travellers).filter(
            severity=Status.ATTENTION, digested_on__isnull=True
        )
        if Alert.objects.filter(
            pk=alert.pk, emailed_at__isnull=True, digested_on__isnull=True
        ).update(digested_on=on)
    ]
    for alert in claimed:
        for recipient in recipients(alert):
            _delivery(alert, EmailDelivery.Kind.DIGEST, recipient, on)
    by_message: dict[tuple[Recipient, date], list[EmailDelivery]] = defaultdict(list)
    for delivery in _claim_due_digest_lines(travellers):
        # A digest line always has its day: the table's check constraint requires it.
        key = (Recipient(delivery.email, delivery.language), cast(date, delivery.digest_on))
        by_message[key].append(delivery)
    sent = 0
    try:
        for (_recipient, day), lines in by_message.items():
            if _attempt(lines, "digest", [line.alert for line in lines], on=day):
                sent += 1
                for line in lines:
                    if not line.alert.events.filter(action=AlertEvent.Action.DIGESTED).exists():
                        line.alert.record(AlertEvent.Action.DIGESTED, note=day.isoformat())
    except MailServerUnreachable:
        # The lines stay in the outbox; the next delivery sends them.
        EmailDelivery.objects.filter(
            pk__in=[line.pk for lines in by_message.values() for line in lines],
            state=EmailDelivery.State.PENDING,
            attempts=0,
        ).update(next_attempt_at=timezone.now())
        logger.exception("The digest of %s not sent; the next delivery tries again", on)
    return sent


class MailServerUnreachable(Exception):
    """The mail server could not be reached or refused staysite itself: nothing can be sent."""


# A refused recipient is tried EmailDelivery.MAX_ATTEMPTS times, after pauses of 15 minutes,
# 30 minutes, 1 hour and 2 hours; then the delivery is given up and stays on the alert.
FIRST_PAUSE = timedelta(minutes=15)
# How long a run holds the digest lines it is sending, so that another run leaves them be.
CLAIM_LEASE = timedelta(minutes=10)


def _delivery(
    alert: Alert, kind: str, recipient: Recipient, digest_on: date | None
) -> EmailDelivery:
    delivery, _created = EmailDelivery.objects.get_or_create(
        alert=alert,
        kind=kind,
        email=recipient.email,
        digest_on=digest_on,
        defaults={"language": recipient.language},
    )
    return delivery


def _due(delivery: EmailDelivery) -> bool:
    return (
        delivery.state == EmailDelivery.State.PENDING and delivery.next_attempt_at <= timezone.now()
    )


def _claim_due_digest_lines(travellers: QuerySet | None) -> list[EmailDelivery]:
    due = EmailDelivery.objects.filter(
        kind=EmailDelivery.Kind.DIGEST,
        state=EmailDelivery.State.PENDING,
        next_attempt_at__lte=timezone.now(),
    )
    if travellers is not None:
        due = due.filter(alert__traveller__in=travellers)
    lease = timezone.now() + CLAIM_LEASE
    claimed = []
    for line in due.select_related("alert__traveller").order_by("pk"):
        taken = EmailDelivery.objects.filter(
            pk=line.pk, next_attempt_at=line.next_attempt_at
        ).update(next_attempt_at=lease)
        if taken:
            claimed.append(line)
    return claimed


def _attempt(lines: list[EmailDelivery], template: str, alerts: list[Alert], **extra) -> bool:
    """Send one email to the lines' recipient; record the outcome on every line.

    True when it was sent. A refusal of this message or recipient (an SMTP reply) is recorded
    and retried later; a failure to reach the server raises `MailServerUnreachable`.
    """
    first = lines[0]
    message = _message(template, Recipient(first.email, first.language), alerts, **extra)
    now = timezone.now()
    pks = [line.pk for line in lines]
    try:
        message.send()
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
        raise MailServerUnreachable from error
    except (
        smtplib.SMTPHeloError,
        smtplib.SMTPAuthenticationError,
        smtplib.SMTPNotSupportedError,
    ) as error:
        raise MailServerUnreachable from error
    except smtplib.SMTPException as error:
        attempts = first.attempts + 1
        given_up = attempts >= EmailDelivery.MAX_ATTEMPTS
        fields = {
            "attempts": attempts,
            "last_error": _reply(error)[:300],
            "state": EmailDelivery.State.REFUSED if given_up else EmailDelivery.State.PENDING,
            "next_attempt_at": now + FIRST_PAUSE * 2 ** (attempts - 1),
        }
        EmailDelivery.objects.filter(pk__in=pks).update(**fields)
        for line in lines:
            for name, value in fields.items():
                setattr(line, name, value)
        logger.warning("Email to %s refused (attempt %d): %s", first.email, attempts, error)
        return False
    except OSError as error:
        raise MailServerUnreachable from error
    EmailDelivery.objects.filter(pk__in=pks).update(
        state=EmailDelivery.State.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
    )
    for line in lines:
        line.state = EmailDelivery.State.SENT
    return True


def _reply(error: smtplib.SMTPException) -> str:
    """The mail server's reply code and text, as it gave them."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = [_decode(code, text) for code, text in error.recipients.values()]
        return "; ".join(replies)
    if isinstance(error, smtplib.SMTPResponseException):
        return _decode(error.smtp_code, error.smtp_error)
    return str(error)


def _decode(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}"


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
