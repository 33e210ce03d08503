"""The daily refresh in chunks: several workers share it, no traveller twice, none skipped."""

import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction

from tests import factories
from trips.models import RefreshChunk, StatusSnapshot
from trips.upkeep import chunks, daily, tasks

ON = date(2026, 4, 15)


def make_travellers(organisation, count: int) -> list[int]:
    pks = []
    for _ in range(count):
        person = factories.make_traveller(organisation=organisation)
        factories.make_trip(traveller=person, entry=date(2026, 3, 20), days=None)
        pks.append(person.pk)
    return pks


def covering(run) -> dict[int, int]:
    """How many of the run's chunks cover each traveller id."""
    found: dict[int, int] = {}
    for chunk in run.chunks.all():
        for pk in range(chunk.first_traveller, chunk.last_traveller + 1):
            found[pk] = found.get(pk, 0) + 1
    return found


@pytest.mark.django_db
def test_a_plan_puts_every_traveller_in_exactly_one_chunk(organisation):
    pks = make_travellers(organisation, 12)

    run = chunks.plan(on=ON, size=5)

    counts = covering(run)
    assert all(counts.get(pk) == 1 for pk in pks)
    assert set(counts.values()) == {1}  # chunks never overlap


@pytest.mark.django_db
def test_blocks_of_ids_without_a_traveller_get_no_chunk(organisation):
    first, *_rest, last = make_travellers(organisation, 3)
    factories.make_traveller(organisation=organisation).delete()

    run = chunks.plan(on=ON, size=1)

    assert [c.first_traveller for c in run.chunks.all()] == sorted([first, *_rest, last])


@pytest.mark.django_db
def test_an_incremental_runs_chunks_hold_about_size_travellers_due(organisation):
    pks = make_travellers(organisation, 12)
    chunks.complete(chunks.plan(on=ON, size=3))
    due = pks[::4]  # one traveller in four
    StatusSnapshot.objects.filter(traveller__in=due).update(stable_until=None)
    StatusSnapshot.objects.exclude(traveller__in=due).update(stable_until=date(2026, 12, 31))

    run = chunks.plan(on=ON, size=1, full=False)

    assert all(c.last_traveller - c.first_traveller + 1 == 4 for c in run.chunks.all())
    assert sorted(chunks.work(run).travellers) == due


@pytest.mark.django_db
def test_one_worker_refreshes_every_chunk_and_the_run_adds_them_up(organisation):
    pks = make_travellers(organisation, 7)
    run = chunks.plan(on=ON, size=3)

    snapshots, alerts, differed = chunks.complete(run)

    assert snapshots == alerts.travellers == 7
    assert differed == 0
    assert alerts.opened > 0
    assert sorted(StatusSnapshot.objects.values_list("traveller", flat=True)) == pks
    assert not run.chunks.filter(done_at__isnull=True).exists()
    run.refresh_from_db()
    assert run.finished_at is not None


@pytest.mark.django_db
def test_the_daily_run_goes_through_chunks_and_asks_no_helper_by_default(organisation):
    from django_tasks_db.models import DBTaskResult

    make_travellers(organisation, 3)

    result = daily.run_daily(on=ON)

    assert result.snapshots == 3
    assert RefreshChunk.objects.filter(done_at__isnull=False).exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_daily_run_asks_helpers_to_share_its_chunks(organisation, settings):
    from django_tasks_db.models import DBTaskResult

    settings.STAYSITE_REFRESH_HELPERS = 2
    make_travellers(organisation, 3)

    result = daily.run_daily(on=ON)

    helpers = DBTaskResult.objects.filter(task_path="trips.upkeep.tasks.refresh_chunks")
    assert helpers.count() == 2
    assert result.snapshots == 3
    # A helper that comes late finds nothing left and says so.
    run = helpers.first().args_kwargs["kwargs"]["run"]
    assert tasks.refresh_chunks.call(run=run) == "0 chunks, 0 travellers refreshed."


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: SKIP LOCKED needs PostgreSQL.")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_refresh_every_traveller_exactly_once(organisation):
    postgresql_only()
    pks = make_travellers(organisation, 40)
    run = chunks.plan(on=ON, size=2)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def worker(name):
        try:
            barrier.wait()
            results[name] = chunks.work(run, worker=name)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    refreshed = results["one"].travellers + results["two"].travellers
    assert sorted(refreshed) == pks  # each once: no duplicate, none missing
    assert results["one"].chunks > 0 and results["two"].chunks > 0
    workers = set(run.chunks.values_list("worker", flat=True))
    assert workers == {"one", "two"}
    assert StatusSnapshot.objects.filter(evaluated_on=ON).count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_chunk_another_worker_holds_is_skipped_and_done_once_it_is_given_back(organisation):
    postgresql_only()
    pks = make_travellers(organisation, 6)
    run = chunks.plan(on=ON, size=2)
    held = run.chunks.order_by("first_traveller").first()
    holding, release = threading.Event(), threading.Event()

    def dying_worker():
        # Claims the first chunk, then stops without finishing it, as a killed worker would.
        try:
            with transaction.atomic():
                RefreshChunk.objects.select_for_update().get(pk=held.pk)
                holding.set()
                release.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=dying_worker)
    thread.start()
    holding.wait(timeout=30)

    first = chunks.work(run, worker="main")

    assert first.chunks == run.chunks.count() - 1
    assert not set(first.travellers) & set(range(held.first_traveller, held.last_traveller + 1))
    release.set()
    thread.join()
    second = chunks.work(run, worker="main")
    assert sorted(first.travellers + second.travellers) == pks
    assert not run.chunks.filter(done_at__isnull=True).exists()


def refresh_queries(travellers, *, on) -> int:
    from django.test.utils import CaptureQueriesContext

    from trips.evaluation import snapshots

    with CaptureQueriesContext(connection) as queries:
        snapshots.refresh_with_alerts(travellers, on=on)
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "on",
    [
        pytest.param(ON, id="from-scratch"),
        pytest.param(date(2026, 4, 16), id="next-day"),
    ],
)
def test_the_refresh_needs_as_many_queries_for_nine_travellers_as_for_three(organisation, on):
    from trips.models import Traveller

    three = Traveller.objects.filter(pk__in=make_travellers(organisation, 3))
    nine = Traveller.objects.filter(pk__in=make_travellers(organisation, 9))
    if on != ON:  # yesterday's snapshots and alerts exist
        refresh_queries(Traveller.objects.all(), on=ON)

    assert refresh_queries(three, on=on) == refresh_queries(nine, on=on)
