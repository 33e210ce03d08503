"""Alert emails: one per new urgent alert, a digest of the rest, never twice."""

from datetime import date

import pytest
from django.core import mail

from tests import factories
from trips import wording
from trips.choices import AlertKind
from trips.delivery import notify
from trips.evaluation import alert_queue
from trips.models import Alert, AlertEvent


@pytest.fixture
def hanna(hr):
    hr.email = "hanna@example.com"
    hr.save()
    return hr


def overstay(traveller) -> None:
    """Tom, visa-free since 2 March 2026 and still there: 3 days over on 3 April."""
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_notification(trip=trip)
    alert_queue.refresh_alerts(on=date(2026, 4, 3))


def test_a_new_overstay_alert_emails_the_hr_owner_and_the_traveller_once(hanna, traveller):
    overstay(traveller)

    sent = notify.send_alert_emails()

    alert = Alert.objects.get(kind=AlertKind.OVERSTAY_WARNING)
    overstay_mails = [m for m in mail.outbox if "Overstay (warning tier)" in m.subject]
    assert sorted(m.to[0] for m in overstay_mails) == sorted([hanna.email, traveller.email])
    body = overstay_mails[0].body
    assert "Overstay of 3 days after the stay from 2 Mar 2026" in body
    assert wording.legal_source("kz_overstay") in body
    assert f"http://127.0.0.1:8000/travellers/{traveller.pk}/" in body
    assert alert.emailed_at is not None
    assert alert.events.filter(action=AlertEvent.Action.EMAILED).count() == 1
    assert sent == len(mail.outbox)

    assert notify.send_alert_emails() == 0
    assert len(mail.outbox) == sent


def test_an_eqonaq_alert_goes_to_hr_only(hanna, traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    alert_queue.refresh_alerts(on=date(2026, 3, 5))

    notify.send_alert_emails()

    assert [m.to for m in mail.outbox] == [[hanna.email]]
    assert "eQonaq notification overdue" in mail.outbox[0].subject


def test_an_erased_or_inactive_traveller_gets_no_email(hanna, traveller):
    overstay(traveller)
    traveller.active = False
    traveller.save()

    notify.send_alert_emails()

    assert {m.to[0] for m in mail.outbox} == {hanna.email}


def test_attention_alerts_go_into_one_daily_digest_per_recipient(hanna, traveller, organisation):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    colleague = factories.make_traveller(organisation=organisation, hr_owner=hanna)
    factories.make_trip(traveller=colleague, entry=date(2026, 3, 2), days=None)
    alert_queue.refresh_alerts(on=date(2026, 3, 2))  # eQonaq due on 4 March: attention

    assert notify.send_alert_emails() == 0
    assert notify.send_digests(on=date(2026, 3, 2)) == 1

    (digest,) = mail.outbox
    assert digest.to == [hanna.email]
    assert "2 alerts needing attention, 2 Mar 2026" in digest.subject
    assert traveller.name in digest.body and colleague.name in digest.body
    assert digest.body.count("is due by 4 Mar 2026") == 2
    assert set(Alert.objects.values_list("digested_on", flat=True)) == {date(2026, 3, 2)}

    assert notify.send_digests(on=date(2026, 3, 3)) == 0
    assert len(mail.outbox) == 1


def test_an_alert_that_becomes_urgent_after_the_digest_is_emailed_once(hanna, traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    alert_queue.refresh_alerts(on=date(2026, 3, 2))
    notify.send_digests(on=date(2026, 3, 2))

    alert_queue.refresh_alerts(on=date(2026, 3, 3))  # due tomorrow: action
    notify.send_alert_emails()
    notify.send_alert_emails()

    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "[staysite] 1 alert needing attention, 2 Mar 2026",
        "[staysite] Action needed",
    ]


def test_emails_are_written_in_the_recipient_language(hanna, traveller):
    hanna.language = "de"
    hanna.save()
    traveller.email = ""
    traveller.save()
    overstay(traveller)

    notify.send_alert_emails()

    (email,) = [m for m in mail.outbox if "Art. 517" in m.body]
    # Django's own German month names: the message was rendered under German.
    assert "2. März 2026" in email.body
    assert "March" not in email.body
    assert "Gesetzbuch über Ordnungswidrigkeiten" in email.body  # the legal source too


def test_claimed_alerts_are_not_sent_by_a_second_run(hanna, traveller):
    overstay(traveller)
    # Another run claimed them a moment ago (the conditional UPDATE decides who sends).
    Alert.objects.update(emailed_at="2026-04-03T06:00:00Z")

    assert notify.send_alert_emails() == 0
    assert mail.outbox == []
