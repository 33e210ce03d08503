"""Trigram indexes for the travellers' search, on PostgreSQL.

The search (`TravellerQuerySet.search`) matches any part of a name, an employee number or an
email address, which no B-tree index serves: at 100,000 travellers each search read the
whole table, twice (the page's count and its rows). pg_trgm's GIN indexes serve `LIKE` on
any part of the text; each is built on the expression Django's `icontains` writes,
`UPPER(column::text)`, so the planner can use it. SQLite has no such index and reads its
table as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("name", "employee_number", "email")


def index_name(column: str) -> str:
    return f"trips_traveller_{column}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(column)} ON trips_traveller "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(column)}")


class Migration(migrations.Migration):

    dependencies = [
        ("trips", "0016_alert_organisation_urgency"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
