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

from trips.migrations._postgresql import on_postgresql

COLUMNS = ("name", "employee_number", "email")
CREATE = [
    f"CREATE INDEX IF NOT EXISTS trips_traveller_{column}_trgm ON trips_traveller "
    f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
    for column in COLUMNS
]
DROP = [f"DROP INDEX IF EXISTS trips_traveller_{column}_trgm" for column in COLUMNS]


class Migration(migrations.Migration):

    dependencies = [
        ("trips", "0016_alert_organisation_urgency"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(on_postgresql(*CREATE), on_postgresql(*DROP), elidable=False),
    ]
