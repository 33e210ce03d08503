"""Authentication: Django's model backend, refusing demo accounts where they are switched off,
and organisation members where password login is switched off (they use single sign-on).

Every request of a logged-in user loads its user by id (`get_user`); that one read is written
out in SQL, because the ORM's `get()` spent longer building it than the database answering
(docs/performance.md). Both backends a session can name load the user this way.
"""

from functools import cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections, router

from trips.models import User


def user_by_id(user_id) -> User | None:
    """The user with this primary key, or None."""
    alias = router.db_for_read(User) or DEFAULT_DB_ALIAS
    return next(iter(User.objects.raw(user_by_id_sql(alias), [user_id]).using(alias)), None)


@cache
def user_by_id_sql(alias: str) -> str:
    """The statement, built once per database rather than on every request."""
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(c) for field in User._meta.concrete_fields if (c := field.column))
    table, pk = quote(User._meta.db_table), quote(User._meta.pk.column or "id")
    return f"SELECT {columns} FROM {table} WHERE {pk} = %s"


class StaysiteBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.STAYSITE_ALLOW_DEMO_LOGINS:
            return False
        if getattr(user, "organisation_id", None) and not settings.STAYSITE_PASSWORD_LOGIN:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id) -> User | None:
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
