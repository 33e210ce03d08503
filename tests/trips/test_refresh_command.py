"""manage.py refresh_alerts: the daily run by hand, and the worker's task behind it."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from trips.choices import AlertKind
from trips.delivery import notify
from trips.models import Alert, DailyRun, StatusSnapshot
from trips.upkeep import daily

ALMATY = ZoneInfo("Asia/Almaty")


def run(*args) -> str:
    out = StringIO()
    call_command("refresh_alerts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def overstaying(traveller, hr):
    hr.email = "hanna@example.com"
    hr.save()
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_notification(trip=trip)
    return traveller


def test_the_command_refreshes_snapshots_and_alerts_and_sends_emails_on_a_date(overstaying):
    output = run("--on", "2026-04-03")

    assert output.startswith("2026-04-03: 1 snapshots refreshed; 1 travellers: 2 alerts opened")
    snapshot = StatusSnapshot.objects.get(traveller=overstaying)
    assert (snapshot.evaluated_on, snapshot.overstay_days) == (date(2026, 4, 3), 3)
    assert Alert.objects.filter(kind=AlertKind.OVERSTAY_WARNING).exists()
    assert len(mail.outbox) == 3  # overstay to HR and Tom, registration to HR


def test_the_command_records_the_day_it_ran_for(overstaying):
    run("--on", "2026-04-03")

    recorded = DailyRun.objects.get()
    assert recorded.on == date(2026, 4, 3)
    assert recorded.finished_at is not None
    assert recorded.summary.startswith("2026-04-03: 1 snapshots refreshed")


def test_running_the_command_again_the_same_day_opens_and_sends_nothing(overstaying):
    run("--on", "2026-04-03")

    output = run("--on", "2026-04-03")

    assert "0 alerts opened" in output
    assert "0 alert emails and 0 digests sent" in output
    assert len(mail.outbox) == 3


def test_a_bad_date_is_refused_with_a_clear_message(overstaying):
    with pytest.raises(CommandError, match="--on must be a date like 2026-03-01, not '3/4/26'"):
        run("--on", "3/4/26")

    assert not Alert.objects.exists()


def test_enqueue_queues_the_daily_task_for_the_worker(overstaying):
    output = run("--enqueue", "--on", "2026-04-03")

    assert output.startswith("Queued the daily refresh for 2026-04-03")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "trips.upkeep.daily.daily_refresh"
    assert queued.args_kwargs == {"args": [], "kwargs": {"on": "2026-04-03"}}
    assert not Alert.objects.exists()


def test_the_daily_task_refreshes_and_leaves_the_emails_to_a_task_of_their_own(overstaying):
    summary = daily.daily_refresh.call(on="2026-04-03")

    assert "2 alerts opened" in summary
    assert Alert.objects.filter(traveller=overstaying).count() == 2
    assert mail.outbox == []
    delivery = DBTaskResult.objects.get(task_path="trips.delivery.notify.deliver_emails")
    assert delivery.args_kwargs == {"args": [], "kwargs": {"on": "2026-04-03"}}


def test_the_daily_task_does_not_run_a_day_that_has_run(overstaying):
    daily.daily_refresh.call(on="2026-04-03")

    summary = daily.daily_refresh.call(on="2026-04-03")

    assert "2 alerts opened" in summary  # the first run's summary, not a second run
    assert DailyRun.objects.get().attempts == 1


def test_each_run_queues_the_next_days_run_once_for_just_after_midnight(overstaying, settings):
    settings.TIME_ZONE = "Asia/Almaty"
    with time_machine.travel(datetime(2026, 4, 3, 9, 0, tzinfo=ALMATY), tick=False):
        daily.daily_refresh.call()
        daily.daily_refresh.call()

    (scheduled,) = DBTaskResult.objects.filter(task_path="trips.upkeep.daily.daily_refresh")
    assert scheduled.args_kwargs == {"args": [], "kwargs": {}}
    assert scheduled.run_after == datetime(2026, 4, 4, 0, 1, tzinfo=ALMATY)


def test_the_worker_mends_a_lost_schedule_even_on_a_day_already_run(overstaying, settings):
    settings.TIME_ZONE = "Asia/Almaty"
    with time_machine.travel(datetime(2026, 4, 3, 9, 0, tzinfo=ALMATY), tick=False):
        daily.daily_refresh.call()
        DBTaskResult.objects.all().delete()
        # Queued by hand to run at once: not the next day's run.
        daily.daily_refresh.enqueue()

        daily.daily_refresh.call()

    scheduled = DBTaskResult.objects.filter(run_after=datetime(2026, 4, 4, 0, 1, tzinfo=ALMATY))
    assert scheduled.count() == 1


def test_the_worker_removes_tasks_finished_over_two_weeks_ago(overstaying):
    old, recent = (notify.deliver_emails.enqueue() for _ in range(2))
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=15)
    )
    DBTaskResult.objects.filter(id=recent.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=13)
    )

    daily.daily_refresh.call(on="2026-04-03")

    assert not DBTaskResult.objects.filter(id=old.id).exists()
    assert DBTaskResult.objects.filter(id=recent.id).exists()
