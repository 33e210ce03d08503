"""The dashboard's live fragment, cached per organisation until its data changes.

The dashboard polls its fragment every minute from every open HR tab, and each answer
joins and sorts all the organisation's travellers. The rendered fragment is kept in the
shared cache under a key made of everything its HTML depends on: the organisation and its
data version, the day, the language, the query string (filters, sort, page, search), and
whether today's run is under way. Only HR's fragment is cached: it shows the organisation's
travellers and nothing of the user's own.

The fragment answered to a poll carries an ETag made of the same key: a browser that holds the
fragment already revalidates it (If-None-Match) and gets a 304, with neither the cache read
nor the HTML sent again, until the data, the day or the request changes.

`data_changed()` adds a row to the organisation's data version (`DataChange`) inside the transaction
that writes snapshots or travellers (trips/evaluation/snapshots.py, and every save or delete of a
traveller), so the new version becomes visible with the new data, never before and never after: a
request that reads the new version reads the new figures, and a fragment computed from older data
can only be stored under a version that is already out of date. Writers only insert, so they never
wait for one another; `fold_changes()` (after each daily run) sums the rows up so that reading the
version stays one small aggregate.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import quote_etag
from django.utils.translation import get_language

from trips.models import DataChange, StatusSnapshot, Traveller

# An entry outlives no deploy by much: the key does not know the template's code.
TIMEOUT_SECONDS = 10 * 60


def data_changed(organisation_ids: Iterable[int]) -> None:
    """Add to the data version of these organisations; call it inside the writing transaction."""
    ids = sorted({pk for pk in organisation_ids if pk is not None})
    DataChange.objects.bulk_create(DataChange(organisation_id=pk) for pk in ids)


def version(organisation_id: int) -> int:
    # Read on every poll: the SQL written out costs less to build than the ORM's aggregate.
    with connection.cursor() as cursor:
        cursor.execute(VERSION, [organisation_id])
        return cursor.fetchone()[0] or 0


VERSION = f'SELECT SUM(weight) FROM "{DataChange._meta.db_table}" WHERE organisation_id = %s'


def fold_changes() -> None:
    """Replace each organisation's change rows with one row of their summed weight: every
    version stays what it was, and reading it stays cheap however many writes there were."""
    with transaction.atomic():
        # Locked first: rows another fold deletes at the same time are not summed twice.
        rows = list(
            DataChange.objects.select_for_update().values_list("pk", "organisation_id", "weight")
        )
        totals: dict[int, int] = defaultdict(int)
        for _pk, organisation_id, weight in rows:
            totals[organisation_id] += weight
        pks = [pk for pk, _organisation_id, _weight in rows]
        for start in range(0, len(pks), 500):
            DataChange.objects.filter(pk__in=pks[start : start + 500]).delete()
        DataChange.objects.bulk_create(
            DataChange(organisation_id=pk, weight=weight) for pk, weight in totals.items()
        )


def fragment_key(request: HttpRequest, organisation_id: int, *, updating: bool) -> str:
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    parts = [
        organisation_id,
        version(organisation_id),
        timezone.localdate().isoformat(),
        get_language(),
        int(updating),
        query,
    ]
    return "dashboard-live:" + ":".join(str(part) for part in parts)


def etag(key: str) -> str:
    """The fragment's entity tag: its cache key, hashed (the key names the organisation)."""
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])


def cached(key: str, render: Callable[[], str]) -> str:
    """The HTML stored under `key`, or `render()`'s, stored for the next request."""
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT_SECONDS)
    return html


def forget(organisation_id: int) -> None:
    """Delete the organisation's cached fragments now: a name in them must not outlive the
    traveller's erasure by the ten minutes a fragment is kept. Their keys begin alike, and
    each shared backend deletes by that beginning in one statement (the page's own path
    stays as cheap as it was)."""
    store = caches["default"]
    prefix = store.make_key(f"dashboard-live:{organisation_id}:")
    if isinstance(store, DatabaseCache):
        # The backend's table name, private in django-stubs.
        table = connection.ops.quote_name(store._table)  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            cursor.execute(
                f"DELETE FROM {table} WHERE cache_key LIKE %s ESCAPE '\\'", [pattern + "%"]
            )
    elif isinstance(store, RedisCache):
        client = store._cache.get_client(prefix, write=True)
        for key in client.scan_iter(match=prefix.replace("[", "\\[") + "*"):
            client.delete(key)
    else:
        store.clear()  # a cache of this process alone (tests, development)


def traveller_written(sender, instance: Traveller, **kwargs) -> None:
    # Every path that saves or deletes a traveller (forms, imports, erasure, the admin,
    # cascades) changes what the dashboard lists: names, numbers, who is active.
    data_changed([instance.organisation_id])
    if kwargs.get("signal") is post_delete or instance.erased_at is not None:
        # Their name and number leave the cache too, not only the next version's key.
        transaction.on_commit(lambda: forget(instance.organisation_id))


def snapshot_saved(sender, instance: StatusSnapshot, **kwargs) -> None:
    # One snapshot saved on its own (`refresh_snapshot`, the admin); the batch writes in
    # trips/evaluation/snapshots.py (bulk, so without signals) call data_changed() themselves.
    data_changed([instance.traveller.organisation_id])


def connect() -> None:
    """Called once by the app's ready(): signals, because a stale dashboard is wrong whichever
    path wrote the row, including cascades and the admin. Not on a snapshot's delete: a
    receiver there would make the daily run's batch DELETE fetch and signal row by row; a
    snapshot goes with its traveller (signalled) or in trips/evaluation/snapshots.py's batches."""
    post_save.connect(traveller_written, sender=Traveller, dispatch_uid="dashboard-traveller")
    post_delete.connect(traveller_written, sender=Traveller, dispatch_uid="dashboard-traveller")
    post_save.connect(snapshot_saved, sender=StatusSnapshot, dispatch_uid="dashboard-snapshot")
