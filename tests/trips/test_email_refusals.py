"""A refused recipient holds up nobody else's email: each recipient is a delivery of its own.

Sent to a real SMTP server on a local port (aiosmtpd, as in tests/trips/test_faults.py) that
refuses one address with a 550, as a mail server does for a mailbox that does not exist.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from tests import factories, net
from trips.choices import AlertKind
from trips.delivery import notify
from trips.evaluation import alert_queue
from trips.models import Alert, EmailDelivery, User

REFUSED = "nobody@refused.example"


class RefusingInbox:
    """A mail server that refuses one mailbox and takes every other message."""

    def __init__(self):
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 <nobody@refused.example>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


def mail_server(port: int):
    return net.smtp_server(RefusingInbox(), port)


def overstaying(organisation, *, email: str, hr_email: str):
    """A traveller visa-free since 2 March 2026 and still there: overstaying on 3 April."""
    owner = factories.make_user(organisation=organisation, role=User.Role.HR, email=hr_email)
    traveller = factories.make_traveller(organisation=organisation, email=email, hr_owner=owner)
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_notification(trip=trip)
    return traveller


def test_a_refused_traveller_holds_up_no_other_organisations_alerts(
    smtp, organisation, other_organisation
):
    refused = overstaying(organisation, email=REFUSED, hr_email="hr@first.example")
    overstaying(other_organisation, email="b@second.example", hr_email="hr@second.example")
    alert_queue.refresh_alerts(on=date(2026, 4, 3))

    with mail_server(smtp) as inbox:
        notify.send_alert_emails()

    assert set(inbox.received) == {"b@second.example", "hr@first.example", "hr@second.example"}
    delivery = EmailDelivery.objects.get(email=REFUSED, alert__kind=AlertKind.OVERSTAY_WARNING)
    assert (delivery.state, delivery.attempts) == (EmailDelivery.State.PENDING, 1)
    assert delivery.last_error.startswith("550 5.1.1")
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.alert.traveller == refused
    others = EmailDelivery.objects.exclude(email=REFUSED)
    assert set(others.values_list("state", flat=True)) == {EmailDelivery.State.SENT}


def refused_overstay_email() -> EmailDelivery:
    return EmailDelivery.objects.get(email=REFUSED, alert__kind=AlertKind.OVERSTAY_WARNING)


def test_a_refused_recipient_is_retried_with_pauses_and_then_given_up(smtp, organisation):
    overstaying(organisation, email=REFUSED, hr_email="hr@first.example")
    alert_queue.refresh_alerts(on=date(2026, 4, 3))
    pauses = []

    with mail_server(smtp) as inbox:
        notify.send_alert_emails()
        notify.send_alert_emails()  # the pause has not passed: nothing is tried
        assert refused_overstay_email().attempts == 1
        for _attempt in range(EmailDelivery.MAX_ATTEMPTS + 2):
            delivery = refused_overstay_email()
            if delivery.state != EmailDelivery.State.PENDING:
                break
            pauses.append(delivery.next_attempt_at - timezone.now())
            EmailDelivery.objects.filter(email=REFUSED).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1)
            )
            notify.send_alert_emails()

    delivery = refused_overstay_email()
    assert delivery.state == EmailDelivery.State.REFUSED
    assert delivery.attempts == EmailDelivery.MAX_ATTEMPTS
    assert pauses[1] > pauses[0] + timedelta(minutes=10), "each pause is longer"
    assert inbox.received.count("hr@first.example") == Alert.objects.count(), "HR got each once"
    assert Alert.objects.get(kind=AlertKind.OVERSTAY_WARNING).emailed_at is not None


def test_compliance_sees_a_refused_email_on_the_alert(smtp, client, organisation, compliance):
    overstaying(organisation, email=REFUSED, hr_email="hr@first.example")
    alert_queue.refresh_alerts(on=date(2026, 4, 3))
    with mail_server(smtp):
        notify.send_alert_emails()
    alert = Alert.objects.get(kind=AlertKind.OVERSTAY_WARNING)
    client.force_login(compliance)

    page = client.get(reverse("trips:alert_detail", args=[alert.pk])).content.decode()

    assert REFUSED in page
    assert "mailbox unavailable" in page
    assert "Waiting to be sent" in page


def test_a_refused_digest_recipient_holds_up_no_other_digest(smtp, organisation):
    for email, hr_email in [("a@first.example", REFUSED), ("b@first.example", "hr@ok.example")]:
        owner = factories.make_user(organisation=organisation, role="hr", email=hr_email)
        traveller = factories.make_traveller(organisation=organisation, hr_owner=owner)
        traveller.email = email
        traveller.save()
        factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    alert_queue.refresh_alerts(on=date(2026, 3, 2))  # eQonaq due on 4 March: attention

    with mail_server(smtp) as inbox:
        assert notify.send_digests(on=date(2026, 3, 2)) == 1
        refused = EmailDelivery.objects.get(email=REFUSED)
        EmailDelivery.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())
        assert notify.send_digests(on=date(2026, 3, 3)) == 0

    assert inbox.received == ["hr@ok.example"]
    refused.refresh_from_db()
    assert (refused.kind, refused.digest_on, refused.attempts) == ("digest", date(2026, 3, 2), 2)


def test_only_an_unreachable_mail_server_stops_the_run(smtp, organisation, other_organisation):
    overstaying(organisation, email=REFUSED, hr_email="hr@first.example")
    overstaying(other_organisation, email="b@second.example", hr_email="hr@second.example")
    alert_queue.refresh_alerts(on=date(2026, 4, 3))

    assert notify.send_alert_emails() == 0  # nothing listens on the port yet

    assert not EmailDelivery.objects.exclude(attempts=0).exists(), "no attempt is counted"
    assert not Alert.objects.filter(emailed_at__isnull=False).exists()
    with mail_server(smtp) as inbox:
        notify.send_alert_emails()
    assert set(inbox.received) == {"b@second.example", "hr@first.example", "hr@second.example"}
