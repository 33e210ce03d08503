"""Searching names and emails without regard to case or accents: "schroder" finds Schröder.

Both databases get one SQL function, `staysite_fold`, that strips accents: on PostgreSQL a
wrapper of the `unaccent` extension marked IMMUTABLE, so that a trigram index can be built
on it (migration 0022), on SQLite this module's `fold`, registered on every connection.
"""

from __future__ import annotations

import unicodedata
from typing import overload

from django.db.models import CharField, Func

FUNCTION = "staysite_fold"


@overload
def fold(text: str) -> str: ...
@overload
def fold(text: None) -> None: ...
def fold(text: str | None) -> str | None:
    """`text` without accents: its letters decomposed and their combining marks dropped."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Fold(Func):
    function = FUNCTION
    output_field = CharField()


def register(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection the function PostgreSQL gets from the migration."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, fold, deterministic=True)
