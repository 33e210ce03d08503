"""The dashboard's summary counts are kept by the database per organisation and status light,
and they equal a count of the rows after every path that writes a snapshot or a traveller."""

import random
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from tests import factories
from trips.choices import Status
from trips.dashboard import counts
from trips.evaluation import snapshots
from trips.files import privacy
from trips.models import StatusCount, StatusSnapshot, Traveller
from trips.upkeep import daily

pytestmark = pytest.mark.django_db

ON = date(2026, 4, 1)


def assert_counts_hold() -> None:
    assert counts.kept() == counts.recounted()


@pytest.fixture
def people(organisation):
    """Four travellers: overstaying, back home, never abroad, and one no longer active."""
    overstaying, home, never, inactive = (
        factories.make_traveller(organisation=organisation, name=name)
        for name in ("Olga Overstay", "Hans Home", "Nina Never", "Ingo Inactive")
    )
    factories.make_trip(traveller=overstaying, entry=ON - timedelta(days=40), days=None)
    factories.make_trip(traveller=home, entry=date(2026, 1, 5), days=10)
    factories.make_trip(traveller=inactive, entry=date(2026, 1, 5), days=10)
    for traveller in (overstaying, home, inactive):
        snapshots.refresh_snapshot(traveller, on=ON)
    Traveller.objects.filter(pk=inactive.pk).update(active=False)
    return {"overstaying": overstaying, "home": home, "never": never, "inactive": inactive}


def test_the_counts_are_those_of_the_active_travellers_per_status(organisation, people):
    assert counts.kept(organisation.pk) == {
        (organisation.pk, Status.OVERSTAY): 1,
        (organisation.pk, Status.OK): 1,
        (organisation.pk, ""): 1,
    }


def test_the_summary_reads_the_kept_counts(organisation, people):
    summary = counts.summary_counts(organisation.pk, ON)

    assert summary["total"] == 3
    assert summary["overstays"] == 1
    assert summary["not_assessed"] == 1


def test_a_user_who_manages_no_organisation_gets_an_empty_summary(people):
    summary = counts.summary_counts(None, ON)

    assert (summary["total"], summary["overstays"], summary["due_this_week"]) == (0, 0, 0)


def a_trip_saved(people, other):
    people["never"].trips.all().delete()
    factories.make_trip(traveller=people["never"], entry=ON - timedelta(days=5), days=None)
    snapshots.traveller_changed(people["never"], on=ON)


def a_trip_ended(people, other):
    people["overstaying"].trips.update(exit=ON - timedelta(days=20))
    snapshots.traveller_changed(people["overstaying"], on=ON)


def the_daily_run_from_scratch(people, other):
    StatusSnapshot.objects.all().delete()
    daily.run_daily(on=ON, full=True)


def the_next_days_incremental_runs(people, other):
    for day in range(1, 40):
        daily.run_daily(on=ON + timedelta(days=day), full=False)


def an_import(people, other):
    people["home"].trips.filter(entry__gte=ON - timedelta(days=3)).delete()
    factories.make_trip(traveller=people["home"], entry=ON - timedelta(days=3), days=None)
    snapshots.travellers_changed(list(Traveller.objects.all()), on=ON)


def an_archived_traveller(people, other):
    people["overstaying"].active = False
    people["overstaying"].save()


def a_reactivated_traveller(people, other):
    people["inactive"].active = True
    people["inactive"].save()


def a_new_traveller(people, other):
    factories.make_traveller(organisation=people["home"].organisation)


def a_deleted_traveller(people, other):
    people["overstaying"].delete()


def an_erased_traveller(people, other):
    privacy.erase(people["overstaying"], on=ON)


def a_traveller_moved_to_another_organisation(people, other):
    Traveller.objects.filter(pk=people["overstaying"].pk).update(organisation=other)


def snapshots_deleted_in_bulk(people, other):
    StatusSnapshot.objects.filter(status=Status.OK).delete()


def statuses_updated_in_sql(people, other):
    StatusSnapshot.objects.update(status=Status.ATTENTION)


def a_snapshot_saved_on_its_own(people, other):
    snapshot = StatusSnapshot.objects.get(traveller=people["home"])
    snapshot.status = Status.ACTION
    snapshot.save()


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(a_trip_saved, id="a trip saved"),
        pytest.param(a_trip_ended, id="a trip ended"),
        pytest.param(the_daily_run_from_scratch, id="the daily run from scratch"),
        pytest.param(the_next_days_incremental_runs, id="incremental daily runs"),
        pytest.param(an_import, id="an import"),
        pytest.param(an_archived_traveller, id="an archived traveller"),
        pytest.param(a_reactivated_traveller, id="a reactivated traveller"),
        pytest.param(a_new_traveller, id="a new traveller"),
        pytest.param(a_deleted_traveller, id="a deleted traveller"),
        pytest.param(an_erased_traveller, id="an erased traveller"),
        pytest.param(a_traveller_moved_to_another_organisation, id="a moved traveller"),
        pytest.param(snapshots_deleted_in_bulk, id="snapshots deleted in bulk"),
        pytest.param(statuses_updated_in_sql, id="statuses updated in SQL"),
        pytest.param(a_snapshot_saved_on_its_own, id="a snapshot saved on its own"),
    ],
)
def test_the_counts_hold_after_every_write(people, write):
    other = factories.make_organisation()
    before = counts.kept()

    write(people, other)

    assert_counts_hold()
    assert counts.kept() != before or write is the_next_days_incremental_runs


def test_folding_keeps_the_counts_in_one_row_each(organisation, people):
    for _round in range(3):
        an_archived_traveller(people, None)
        a_reactivated_traveller(people, None)
        people["overstaying"].refresh_from_db()
        people["overstaying"].active = True
        people["overstaying"].save()
    before = counts.kept()

    counts.fold()

    assert counts.kept() == before
    assert StatusCount.objects.count() == len(before)


def test_a_finished_daily_run_folds_the_counts(organisation, people):
    daily.finish(daily.run_daily(on=ON, full=True))

    assert StatusCount.objects.count() == len(counts.kept())
    assert_counts_hold()


def test_recounting_mends_counts_that_went_wrong(organisation, people):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {StatusCount._meta.db_table}")

    counts.recount()

    assert_counts_hold()


def test_the_weekly_full_run_logs_and_mends_counts_that_differ(organisation, people, caplog):
    StatusCount.objects.create(organisation=organisation, status=Status.OK, travellers=5)

    daily.run_daily(on=ON, full=True)

    assert_counts_hold()
    assert f"Organisation {organisation.pk}: the kept status counts differed" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite writes one transaction at a time"
)
def test_a_status_written_while_the_weekly_check_reads_is_counted_once(people, monkeypatch):
    """A change committed between the check's two reads would be in the rows but not in the
    counts read before them: the check would count again, and the change's own count row
    would then count it twice. The check's lock keeps such a writer waiting until it is done."""
    home = people["home"]

    def write() -> None:
        try:
            with transaction.atomic():
                StatusSnapshot.objects.filter(traveller=home).update(status=Status.OVERSTAY)
        finally:
            connection.close()  # this thread's own connection

    writer = threading.Thread(target=write)
    kept = counts.kept

    def kept_then_a_write():
        found = kept()
        writer.start()
        writer.join(timeout=2)  # done at once without the lock; waiting for it with it
        return found

    monkeypatch.setattr(counts, "kept", kept_then_a_write)
    differed = counts.mend()
    writer.join()
    monkeypatch.undo()

    assert differed == []
    assert StatusSnapshot.objects.get(traveller=home).status == Status.OVERSTAY
    assert_counts_hold()


def test_the_counts_hold_after_a_random_mix_of_writes(people):
    """Many writes in a row, drawn at random (seeded): the counts never drift."""
    writes = [
        a_trip_saved,
        a_trip_ended,
        an_archived_traveller,
        a_reactivated_traveller,
        a_new_traveller,
        statuses_updated_in_sql,
        a_snapshot_saved_on_its_own,
        snapshots_deleted_in_bulk,
        an_import,
    ]
    pick = random.Random(20261207)
    other = factories.make_organisation()
    for _step in range(60):
        write = pick.choice(writes)
        for traveller in people.values():
            traveller.refresh_from_db()
        if write is a_snapshot_saved_on_its_own and not hasattr(people["home"], "snapshot"):
            snapshots.refresh_snapshot(people["home"], on=ON)
        write(people, other)
        assert_counts_hold()
