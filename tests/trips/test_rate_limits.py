"""The API's rate limit holds under parallel requests: each is counted atomically.

Requests in threads, each with a database connection of its own, as gunicorn's workers have,
start together at a barrier. On the database (PostgreSQL in particular) the count is one
upsert per token and minute; where REDIS_URL is set, Redis's INCR. `make test` runs the
Redis case against a throwaway redis-server (scripts/with-redis), which sets
STAYSITE_TEST_REDIS_URL.
"""

from __future__ import annotations

import os
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tests import factories
from trips.api import auth
from trips.models import ApiToken

PARALLEL = 24
LIMIT = 5
TEST_REDIS_URL = os.environ.get("STAYSITE_TEST_REDIS_URL", "")


def parallel_statuses(key: str) -> list[int]:
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []

    def request() -> None:
        client = Client(headers={"Authorization": f"Bearer {key}"})
        try:
            barrier.wait(timeout=30)
            statuses.append(client.get("/api/v1/travellers").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.fixture
def one_minute(monkeypatch, settings):
    """Every request in the middle of one minute, so that none falls into the next."""
    settings.STAYSITE_API_RATE_LIMIT = LIMIT
    half_past = time.time() // 60 * 60 + 30
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: half_past))


# SQLite's in-memory test database (shared cache) answers parallel writers "database table
# is locked" at once, without the busy timeout a database file has: its writes are one at
# a time anyway, and tests/trips/test_api_tokens.py counts on it.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_past_the_limit_are_refused_on_the_database(one_minute, organisation):
    compliance = factories.make_user(organisation=organisation, role="compliance")
    _token, key = factories.make_api_token(created_by=compliance)

    statuses = parallel_statuses(key)

    assert len(statuses) == PARALLEL
    assert statuses.count(429) == PARALLEL - LIMIT
    assert set(statuses) - {429} == {200}


@pytest.mark.skipif(not TEST_REDIS_URL, reason="no throwaway redis-server (scripts/with-redis)")
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_past_the_limit_are_refused_with_redis(
    one_minute, organisation, settings
):
    settings.REDIS_URL = TEST_REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
        }
    }
    compliance = factories.make_user(organisation=organisation, role="compliance")
    token, key = factories.make_api_token(created_by=compliance)
    # Used just now: no request writes its last use, so SQLite's test database is only read.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    statuses = parallel_statuses(key)

    assert len(statuses) == PARALLEL
    assert statuses.count(429) == PARALLEL - LIMIT
    assert set(statuses) - {429} == {200}
    assert any(b"api-rate:" in key for key in cache._cache.get_client().keys("*"))
