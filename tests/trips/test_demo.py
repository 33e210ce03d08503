"""The demo data: idempotent, and every status the product knows is in it."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from trips.choices import AlertKind, Status
from trips.delivery import notify
from trips.evaluation import findings
from trips.models import Alert, DailyRun, StatusSnapshot, Traveller, Trip, User
from trips.sample import demo

# Late in the year, so that Montage days of the calendar year can approach 120.
ON = date(2026, 9, 14)


def findings_by_number(on: date) -> dict[str, set[str]]:
    return {
        traveller.employee_number: {f.kind for f in findings.evaluate(traveller, on=on).findings}
        for traveller in Traveller.objects.all()
    }


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new():
    call_command("load_demo", "--on", ON.isoformat())
    counts = (User.objects.count(), Traveller.objects.count(), Trip.objects.count())

    call_command("load_demo", "--on", ON.isoformat())

    assert (User.objects.count(), Traveller.objects.count(), Trip.objects.count()) == counts
    assert 20 <= counts[1] <= 30


@pytest.mark.django_db
def test_demo_covers_every_status_and_situation():
    demo.load(on=ON)
    findings = findings_by_number(ON)
    every = set().union(*findings.values())

    assert set(StatusSnapshot.objects.values_list("status", flat=True)) == set(Status)
    assert not findings["D-001"], "a comfortable traveller"
    assert AlertKind.ALLOWANCE_LOW in findings["D-002"]
    assert AlertKind.STAY_DAY in findings["D-003"]
    assert AlertKind.EQONAQ_OVERDUE in findings["D-004"]
    assert AlertKind.REGISTRATION_NEEDED in findings["D-005"]
    assert AlertKind.OVERSTAY_WARNING in findings["D-006"]
    assert AlertKind.OVERSTAY_SANCTION in findings["D-007"]
    assert AlertKind.TAX_CROSSED in findings["D-008"]
    assert not findings["D-009"], "a stay on a B2 visa within its limits"
    assert Traveller.objects.get(employee_number="K-010").trips.filter(country="DE").exists()
    assert every >= {
        AlertKind.EQONAQ_DUE,
        AlertKind.PLAN_BREAKS_ALLOWANCE,
        AlertKind.VISA_EXPIRING,
        AlertKind.MONTAGE_APPROACHING,
        AlertKind.TAX_APPROACHING,
        AlertKind.EXIT_SOON,
    }


@pytest.mark.django_db
def test_tom_can_log_in_as_the_demo_traveller(client):
    demo.load(on=ON)
    tom = Traveller.objects.get(employee_number="D-003")

    response = client.post("/accounts/login/", {"username": "traveller", "password": demo.PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tom.user_id)


@pytest.mark.django_db
def test_demo_logins_are_refused_where_demo_logins_are_off(client, settings):
    demo.load(on=ON)
    settings.STAYSITE_ALLOW_DEMO_LOGINS = False

    response = client.post("/accounts/login/", {"username": "hr", "password": demo.PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_load_demo_refuses_to_run_where_demo_logins_are_off(settings):
    settings.STAYSITE_ALLOW_DEMO_LOGINS = False

    with pytest.raises(CommandError, match="demo logins are switched off"):
        call_command("load_demo")


@pytest.mark.django_db
def test_load_demo_names_a_bad_date():
    with pytest.raises(CommandError, match="--on must be a date"):
        call_command("load_demo", "--on", "2026-02-30")


@pytest.mark.django_db
def test_a_fresh_demo_shows_compliance_a_queue_in_every_state(client):
    call_command("load_demo")
    client.force_login(User.objects.get(username="compliance"))

    page = client.get(reverse("trips:alert_list")).content.decode()
    resolved = client.get(reverse("trips:alert_list"), {"state": "resolved"}).content.decode()

    assert "No alert matches these filters" not in page
    assert page.count('class="alert-row"') >= 10
    assert "Acknowledged" in page and "Assigned to" in page
    assert "Registration filed with the migration service." in resolved


@pytest.mark.django_db
def test_every_demo_traveller_who_needs_an_alert_has_one():
    demo.load(on=ON)

    for traveller in Traveller.objects.all():
        found = {(f.kind, f.subject) for f in findings.evaluate(traveller, on=ON).findings}
        live = set(traveller.alerts.live().values_list("kind", "subject"))
        assert live == found, traveller.name


@pytest.mark.django_db
def test_the_demo_sends_no_email_now_or_later():
    call_command("load_demo", "--on", ON.isoformat())

    assert notify.send_alert_emails() == 0
    assert notify.send_digests(on=ON) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_loading_again_keeps_the_queue_as_it_was():
    demo.load(on=ON)
    states = sorted(Alert.objects.values_list("pk", "state", "assigned_to"))

    demo.load(on=ON)

    assert sorted(Alert.objects.values_list("pk", "state", "assigned_to")) == states


@pytest.mark.django_db
def test_loading_the_demo_today_records_todays_run_and_schedules_the_next():
    call_command("load_demo")

    assert DailyRun.objects.get().on == timezone.localdate()
    assert DBTaskResult.objects.filter(task_path="trips.upkeep.daily.daily_refresh").count() == 1
    assert mail.outbox == []
