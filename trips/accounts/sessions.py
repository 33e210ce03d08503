"""Sessions: Django's database sessions, read with SQL written out once.

Every request of a logged-in user reads its session first. The ORM's `get()` spent longer
building that query than PostgreSQL spent answering it (docs/performance.md), so the one
read is written out; saving, expiry and everything else are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # gone or expired: a new session is made if one is saved
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
