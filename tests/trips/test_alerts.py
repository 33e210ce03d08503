"""Alerts derived from the data: every kind, idempotence, closing, resolving."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, connections, transaction

from tests import factories
from trips import wording
from trips.choices import STATUS_URGENCY, AlertKind, Purpose, Status
from trips.evaluation import alert_queue, snapshots
from trips.models import Alert, AlertEvent, Trip, Visa


def refresh(on: date) -> alert_queue.RefreshResult:
    return alert_queue.refresh_alerts(on=on)


def live_alert(traveller, kind: AlertKind) -> Alert:
    return Alert.objects.live().get(traveller=traveller, kind=kind)


def kinds(traveller) -> set[str]:
    return set(Alert.objects.live().filter(traveller=traveller).values_list("kind", flat=True))


def filed_trip(traveller, **fields) -> Trip:
    """A trip whose arrival was notified, so that eQonaq alerts stay out of the way."""
    trip = factories.make_trip(traveller=traveller, **fields)
    factories.make_notification(trip=trip)
    return trip


def message(alert: Alert) -> str:
    return wording.describe(alert.kind, alert.params)


# --- Every kind, with dates ---------------------------------------------------------------


def test_allowance_running_low_opens_an_attention_alert(traveller):
    filed_trip(traveller, entry=date(2026, 1, 1), days=30)
    filed_trip(traveller, entry=date(2026, 2, 10), days=30)
    filed_trip(traveller, entry=date(2026, 3, 20), days=22)

    refresh(on=date(2026, 4, 10))

    alert = live_alert(traveller, AlertKind.ALLOWANCE_LOW)
    assert alert.severity == Status.ATTENTION
    assert alert.state == Alert.State.OPEN
    assert message(alert) == "Only 8 days left of 90 in 180 in Kazakhstan."
    assert alert.events.get().action == AlertEvent.Action.OPENED


def test_allowance_with_more_than_ten_days_left_raises_nothing(traveller):
    filed_trip(traveller, entry=date(2026, 1, 1), days=30)
    filed_trip(traveller, entry=date(2026, 2, 10), days=30)
    filed_trip(traveller, entry=date(2026, 3, 20), days=15)

    refresh(on=date(2026, 4, 3))

    assert AlertKind.ALLOWANCE_LOW not in kinds(traveller)


def test_a_planned_trip_that_breaks_90_180_opens_an_action_alert_due_that_day(traveller):
    filed_trip(traveller, entry=date(2026, 1, 1), days=30)
    filed_trip(traveller, entry=date(2026, 2, 5), days=30)
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 20), days=30)
    factories.make_trip(traveller=traveller, entry=date(2026, 4, 25), days=5)

    refresh(on=date(2026, 3, 10))

    alert = live_alert(traveller, AlertKind.PLAN_BREAKS_ALLOWANCE)
    assert alert.severity == Status.ACTION
    assert alert.due_on == date(2026, 4, 25)
    assert "25 Apr 2026" in message(alert)


def test_day_25_of_a_visa_free_stay_opens_an_attention_alert(traveller):
    filed_trip(traveller, entry=date(2026, 3, 2), days=None)

    refresh(on=date(2026, 3, 25))
    assert AlertKind.STAY_DAY not in kinds(traveller)

    refresh(on=date(2026, 3, 26))
    alert = live_alert(traveller, AlertKind.STAY_DAY)
    assert alert.severity == Status.ATTENTION
    assert alert.due_on == date(2026, 3, 31)
    assert message(alert).startswith("Day 25 of a 30-day visa-free stay")


def test_latest_legal_exit_within_5_days_opens_an_action_alert(traveller):
    filed_trip(traveller, entry=date(2026, 3, 2), days=None)

    refresh(on=date(2026, 3, 25))
    assert AlertKind.EXIT_SOON not in kinds(traveller)

    refresh(on=date(2026, 3, 26))
    alert = live_alert(traveller, AlertKind.EXIT_SOON)
    assert alert.severity == Status.ACTION
    assert alert.due_on == date(2026, 3, 31)
    assert message(alert) == "Latest legal exit 31 Mar 2026, in 5 days."


def test_eqonaq_notification_due_after_entry_becomes_urgent_the_day_before(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)

    refresh(on=date(2026, 3, 2))
    alert = live_alert(traveller, AlertKind.EQONAQ_DUE)
    assert (alert.severity, alert.due_on) == (Status.ATTENTION, date(2026, 3, 4))

    refresh(on=date(2026, 3, 3))
    alert.refresh_from_db()
    assert alert.severity == Status.ACTION
    assert alert.state == Alert.State.OPEN


def test_eqonaq_notification_overdue_after_entry_replaces_the_due_alert(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 3, 4))
    due = live_alert(traveller, AlertKind.EQONAQ_DUE)

    refresh(on=date(2026, 3, 5))

    due.refresh_from_db()
    assert due.state == Alert.State.CLOSED
    assert due.closed_reason == "The deadline passed: now overdue."
    overdue = live_alert(traveller, AlertKind.EQONAQ_OVERDUE)
    assert overdue.severity == Status.ACTION
    assert overdue.subject == due.subject
    assert "is overdue since 4 Mar 2026" in message(overdue)


def test_eqonaq_notification_due_and_overdue_after_an_address_change(traveller):
    trip = filed_trip(traveller, entry=date(2026, 3, 2), days=None)
    factories.make_address_change(trip=trip, changed_on=date(2026, 3, 10))

    refresh(on=date(2026, 3, 10))
    due = live_alert(traveller, AlertKind.EQONAQ_DUE)
    assert due.due_on == date(2026, 3, 12)
    assert "address change on 10 Mar 2026" in message(due)

    refresh(on=date(2026, 3, 16))
    overdue = live_alert(traveller, AlertKind.EQONAQ_OVERDUE)
    assert overdue.due_on == date(2026, 3, 12)
    assert "address change" in message(overdue)


def test_a_stay_over_30_days_on_a_visa_needs_registration_by_its_deadline(traveller):
    visa = factories.make_visa(traveller=traveller, days_allowed=None)
    filed_trip(traveller, entry=date(2026, 3, 2), days=40, visa=visa)

    refresh(on=date(2026, 3, 10))

    alert = live_alert(traveller, AlertKind.REGISTRATION_NEEDED)
    assert alert.severity == Status.ACTION
    assert alert.due_on == date(2026, 3, 31)
    assert "temporary registration by 31 Mar 2026" in message(alert)


def test_overstay_in_the_warning_tier_names_the_stay_days_and_consequence(traveller):
    filed_trip(traveller, entry=date(2026, 3, 2), days=None)

    refresh(on=date(2026, 4, 3))

    alert = live_alert(traveller, AlertKind.OVERSTAY_WARNING)
    assert alert.severity == Status.OVERSTAY
    assert alert.params["days"] == 3
    assert alert.params["band"]
    assert message(alert).startswith("Overstay of 3 days after the stay from 2 Mar 2026:")
    assert "Warning" in message(alert)


def test_overstay_in_the_sanction_tier_replaces_the_warning_with_band_and_consequence(traveller):
    filed_trip(traveller, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 4, 3))
    warning = live_alert(traveller, AlertKind.OVERSTAY_WARNING)

    refresh(on=date(2026, 4, 15))

    warning.refresh_from_db()
    assert warning.state == Alert.State.CLOSED
    alert = live_alert(traveller, AlertKind.OVERSTAY_SANCTION)
    assert alert.params["days"] == 15
    assert alert.params["band"] != warning.params["band"]
    assert "Overstay of 15 days" in message(alert)
    assert "expulsion" in message(alert)


def test_a_visa_expiring_within_30_days_while_a_stay_depends_on_it(traveller):
    visa = factories.make_visa(
        traveller=traveller, valid_until=date(2026, 6, 29), days_allowed=None
    )
    filed_trip(traveller, entry=date(2026, 6, 1), days=None, visa=visa)

    refresh(on=date(2026, 6, 5))

    alert = live_alert(traveller, AlertKind.VISA_EXPIRING)
    assert (alert.severity, alert.due_on) == (Status.ATTENTION, date(2026, 6, 29))
    assert "in 24 days" in message(alert)


def test_a_stay_outside_the_visa_validity_is_action_before_and_overstay_after(traveller):
    visa = factories.make_visa(
        traveller=traveller, valid_until=date(2026, 6, 29), days_allowed=None
    )
    filed_trip(traveller, entry=date(2026, 6, 20), exit=date(2026, 7, 10), days=None, visa=visa)

    refresh(on=date(2026, 6, 21))
    alert = live_alert(traveller, AlertKind.VISA_OUTSIDE_VALIDITY)
    assert (alert.severity, alert.due_on) == (Status.ACTION, date(2026, 6, 30))

    refresh(on=date(2026, 7, 1))
    alert.refresh_from_db()
    assert alert.severity == Status.OVERSTAY
    assert "outside its validity from 30 Jun 2026" in message(alert)


def test_stays_over_the_visa_allowed_days(traveller):
    visa = factories.make_visa(traveller=traveller, valid_until=date(2026, 12, 29), days_allowed=10)
    filed_trip(traveller, entry=date(2026, 3, 2), days=15, visa=visa)

    refresh(on=date(2026, 3, 14))

    alert = live_alert(traveller, AlertKind.VISA_DAYS_EXCEEDED)
    assert (alert.severity, alert.due_on) == (Status.OVERSTAY, date(2026, 3, 12))
    assert "exceed its 10 allowed days from 12 Mar 2026" in message(alert)


def montage_trip(traveller) -> Trip:
    visa = factories.make_visa(
        traveller=traveller,
        kind=Visa.Kind.C3,
        valid_until=date(2026, 12, 31),
        days_allowed=None,
    )
    return filed_trip(
        traveller, entry=date(2026, 1, 5), days=None, visa=visa, purpose=Purpose.MONTAGE
    )


def test_montage_days_approaching_120(traveller):
    montage_trip(traveller)

    refresh(on=date(2026, 4, 13))
    assert AlertKind.MONTAGE_APPROACHING not in kinds(traveller)

    refresh(on=date(2026, 4, 14))
    alert = live_alert(traveller, AlertKind.MONTAGE_APPROACHING)
    assert alert.severity == Status.ATTENTION
    assert message(alert) == "100 Montage days this year (at most 120)."


def test_montage_days_over_120_replace_the_approaching_alert(traveller):
    montage_trip(traveller)
    refresh(on=date(2026, 4, 14))

    refresh(on=date(2026, 5, 5))

    assert AlertKind.MONTAGE_APPROACHING not in kinds(traveller)
    alert = live_alert(traveller, AlertKind.MONTAGE_EXCEEDED)
    assert alert.severity == Status.ACTION
    assert message(alert) == "121 Montage days this year (at most 120)."


def test_tax_count_approaching_183_at_150_days(traveller):
    montage_trip(traveller)

    refresh(on=date(2026, 6, 2))
    assert AlertKind.TAX_APPROACHING not in kinds(traveller)

    refresh(on=date(2026, 6, 3))
    alert = live_alert(traveller, AlertKind.TAX_APPROACHING)
    assert alert.severity == Status.ATTENTION
    assert alert.params["days"] == 150


def test_tax_count_crossing_183(traveller):
    montage_trip(traveller)
    refresh(on=date(2026, 6, 3))

    refresh(on=date(2026, 7, 10))

    assert AlertKind.TAX_APPROACHING not in kinds(traveller)
    alert = live_alert(traveller, AlertKind.TAX_CROSSED)
    assert (alert.severity, alert.due_on) == (Status.ACTION, date(2026, 7, 7))
    assert "since 7 Jul 2026" in message(alert)


# --- Idempotence, closing, resolving --------------------------------------------------------


def test_running_twice_creates_nothing_new(traveller, other_traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_trip(traveller=other_traveller, entry=date(2026, 3, 1), days=None)
    first = refresh(on=date(2026, 4, 3))
    alerts, events = Alert.objects.count(), AlertEvent.objects.count()

    second = refresh(on=date(2026, 4, 3))

    assert first.opened == alerts > 0
    assert (second.opened, second.closed, second.updated) == (0, 0, 0)
    assert second.unchanged == alerts
    assert (Alert.objects.count(), AlertEvent.objects.count()) == (alerts, events)


def test_an_alert_that_stops_being_true_closes_itself_with_the_reason(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 3, 3))
    alert = live_alert(traveller, AlertKind.EQONAQ_DUE)

    factories.make_notification(trip=trip, filed_on=date(2026, 3, 3))
    result = refresh(on=date(2026, 3, 3))

    alert.refresh_from_db()
    assert result.closed == 1
    assert alert.state == Alert.State.CLOSED
    assert alert.closed_at is not None
    assert alert.closed_reason == "Notification filed on 3 Mar 2026."
    event = alert.events.last()
    assert (event.action, event.actor, event.note) == (
        AlertEvent.Action.CLOSED,
        None,
        alert.closed_reason,
    )


def test_a_closed_alert_names_the_date_it_stopped_being_the_case(traveller):
    filed_trip(traveller, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 3, 26))
    alert = live_alert(traveller, AlertKind.STAY_DAY)

    Trip.objects.filter(traveller=traveller).update(exit=date(2026, 3, 27))
    refresh(on=date(2026, 3, 28))

    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED
    assert alert.closed_reason == "No longer the case on 28 Mar 2026."


def test_a_resolved_alert_does_not_come_back_while_the_situation_holds(traveller, compliance):
    montage_trip(traveller)
    refresh(on=date(2026, 5, 5))
    alert = live_alert(traveller, AlertKind.MONTAGE_EXCEEDED)
    alert.resolve("Exemption from the labour ministry on file.", by=compliance)

    result = refresh(on=date(2026, 5, 6))

    assert result.opened == 0
    assert Alert.objects.filter(kind=AlertKind.MONTAGE_EXCEEDED).count() == 1
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED
    assert alert.params["days"] == 122  # still current for whoever looks


def test_a_resolved_alert_comes_back_when_the_situation_ends_and_arises_again(
    traveller, compliance
):
    trip = montage_trip(traveller)
    refresh(on=date(2026, 5, 5))
    resolved = live_alert(traveller, AlertKind.MONTAGE_EXCEEDED)
    resolved.resolve("Exemption on file.", by=compliance)

    trip.exit = date(2026, 4, 20)
    trip.save()
    result = refresh(on=date(2026, 5, 6))
    resolved.refresh_from_db()
    assert result.cleared == 1
    assert resolved.state == Alert.State.RESOLVED
    assert resolved.cleared_at is not None
    assert resolved.events.last().action == AlertEvent.Action.CLEARED

    trip.exit = None
    trip.save()
    refresh(on=date(2026, 5, 7))

    again = live_alert(traveller, AlertKind.MONTAGE_EXCEEDED)
    assert again.pk != resolved.pk
    assert again.state == Alert.State.OPEN


def test_a_resolved_alert_reopens_when_it_becomes_an_overstay(traveller, compliance):
    visa = factories.make_visa(
        traveller=traveller, valid_until=date(2026, 6, 29), days_allowed=None
    )
    filed_trip(traveller, entry=date(2026, 6, 20), exit=date(2026, 7, 10), days=None, visa=visa)
    refresh(on=date(2026, 6, 21))
    alert = live_alert(traveller, AlertKind.VISA_OUTSIDE_VALIDITY)
    alert.resolve("New visa applied for.", by=compliance)

    refresh(on=date(2026, 7, 1))

    alert.refresh_from_db()
    assert (alert.state, alert.severity) == (Alert.State.OPEN, Status.OVERSTAY)
    assert alert.events.last().action == AlertEvent.Action.REOPENED


def test_alerts_of_a_traveller_who_left_close(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 3, 3))
    traveller.active = False
    traveller.save()

    refresh(on=date(2026, 3, 3))

    alert = Alert.objects.get(traveller=traveller)
    assert alert.state == Alert.State.CLOSED
    assert alert.closed_reason == "The traveller is no longer active."


def test_a_traveller_the_engine_refuses_keeps_their_alerts_and_the_rest_go_on(
    traveller, organisation
):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 3, 3))
    # An open trip that starts after the evaluation date is impossible input for the engine.
    someone = factories.make_traveller(organisation=organisation, citizenship="DE")
    factories.make_trip(traveller=someone, entry=date(2026, 3, 10), days=None)

    result = refresh(on=date(2026, 3, 4))

    assert result.failed == 1
    assert live_alert(traveller, AlertKind.EQONAQ_DUE).state == Alert.State.OPEN


def test_traveller_changed_refreshes_the_alerts_after_the_commit(
    traveller, django_capture_on_commit_callbacks
):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        snapshots.traveller_changed(traveller, on=date(2026, 3, 3))
        assert not Alert.objects.exists()

    assert len(callbacks) == 1
    assert live_alert(traveller, AlertKind.EQONAQ_DUE).severity == Status.ACTION


def test_refreshing_a_batch_takes_a_constant_number_of_queries(
    organisation, django_assert_max_num_queries
):
    for number in range(6):
        person = factories.make_traveller(organisation=organisation)
        filed_trip(person, entry=date(2026, 3, 2 + number), days=None)
    refresh(on=date(2026, 3, 27))

    with django_assert_max_num_queries(12):
        refresh(on=date(2026, 3, 27))


# --- The database keeps one live alert per subject ----------------------------------------


def make_alert(traveller, **fields) -> Alert:
    fields.setdefault("kind", AlertKind.TAX_CROSSED)
    fields.setdefault("subject", "tax:183")
    fields.setdefault("severity", Status.ACTION)
    fields.setdefault("opened_on", date(2026, 3, 1))
    return Alert.objects.create(traveller=traveller, **fields)


def test_the_database_refuses_a_second_open_alert_for_the_same_subject(traveller):
    make_alert(traveller)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_alert(traveller, state=Alert.State.ACKNOWLEDGED)


def test_the_database_refuses_a_new_alert_while_a_resolved_one_still_holds(traveller):
    make_alert(traveller, state=Alert.State.RESOLVED)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_alert(traveller)


def test_closed_and_cleared_alerts_leave_room_for_a_new_one(traveller):
    from django.utils import timezone

    make_alert(traveller, state=Alert.State.CLOSED, closed_at=timezone.now())
    make_alert(traveller, state=Alert.State.RESOLVED, cleared_at=timezone.now())

    make_alert(traveller)

    assert Alert.objects.filter(traveller=traveller).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_open_each_alert_once(organisation):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL.")
    travellers = [factories.make_traveller(organisation=organisation) for _ in range(8)]
    for person in travellers:
        factories.make_trip(traveller=person, entry=date(2026, 3, 2), days=None)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(refresh(on=date(2026, 4, 15)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    live = Alert.objects.live()
    assert live.count() == len({(a.traveller_id, a.kind, a.subject) for a in live})
    assert sum(r.opened for r in results) == live.count() > 0
    assert AlertEvent.objects.filter(action=AlertEvent.Action.OPENED).count() == live.count()


# --- What the queue reads without a join --------------------------------------------------


def test_every_alert_belongs_to_its_travellers_organisation(organisation, other_organisation):
    ours, theirs = (
        factories.make_traveller(organisation=o) for o in (organisation, other_organisation)
    )
    for person in (ours, theirs):
        filed_trip(person, entry=date(2026, 3, 2), days=None)
    refresh(on=date(2026, 3, 27))  # opened together, in one insert
    make_alert(theirs)  # saved on its own

    opened = Alert.objects.select_related("traveller")

    assert {a.organisation_id for a in opened} == {organisation.pk, other_organisation.pk}
    assert all(a.organisation_id == a.traveller.organisation_id for a in opened)


@pytest.mark.parametrize(
    "severity",
    [pytest.param(s, id=str(s)) for s in (Status.ATTENTION, Status.ACTION, Status.OVERSTAY)],
)
def test_the_database_ranks_each_alert_by_its_severity(traveller, severity):
    alert = make_alert(traveller, severity=severity)

    alert.refresh_from_db()

    assert alert.urgency == STATUS_URGENCY[severity]
