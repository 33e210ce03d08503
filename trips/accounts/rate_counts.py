"""A token's requests in one minute, counted atomically where every process sees the count.

Read-then-write counting loses counts under parallel requests (the database cache's `incr`
let 400 of 400 parallel requests past a limit of 120). Each request is counted by one
statement that adds and answers at once: Redis's INCR where REDIS_URL is set (Django's own
RedisCache), otherwise one upsert per token and minute on the database,
`INSERT ... ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count` (PostgreSQL, and
SQLite 3.35 or newer).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from trips.models import ApiRequestCount

TABLE = connection.ops.quote_name(ApiRequestCount._meta.db_table)
UPSERT = (
    f"INSERT INTO {TABLE} (token_id, minute, count) VALUES (%s, %s, 1) "
    f"ON CONFLICT (token_id, minute) DO UPDATE SET count = {TABLE}.count + 1 RETURNING count"
)
# A minute's count is needed for that minute only; kept a little longer for clock skew.
KEEP_SECONDS = 120


def count_request(token_pk: int, minute: int) -> int:
    """Count one request of the token in `minute`; the number counted so far, this one too."""
    if settings.REDIS_URL:
        key = f"api-rate:{token_pk}:{minute}"
        cache.add(key, 0, timeout=KEEP_SECONDS)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 0, timeout=KEEP_SECONDS)
            return cache.incr(key)
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [token_pk, minute])
        return cursor.fetchone()[0]
