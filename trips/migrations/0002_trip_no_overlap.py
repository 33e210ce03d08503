"""No two trips of one traveller claim the same day, enforced by PostgreSQL.

Each trip is a closed range of half-days (Trip.half_day_span): a trip of several days claims
only its inner half-days, so it may touch a neighbour on its entry and exit day (leaving one
country and entering another on the same day counts as a day in both); a one-day trip claims
its whole day. SQLite has no exclusion constraints: there, Trip.clean() is the check.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from trips.migrations._postgresql import on_postgresql

DAY = "(%s - DATE '2000-01-01')"
LOW = f"CASE WHEN exit = entry THEN 2 * {DAY % 'entry'} ELSE 2 * {DAY % 'entry'} + 1 END"
HIGH = (
    f"CASE WHEN exit IS NULL THEN NULL WHEN exit = entry THEN 2 * {DAY % 'exit'} "
    f"ELSE 2 * {DAY % 'exit'} - 1 END"
)
CREATE = (
    "ALTER TABLE trips_trip ADD CONSTRAINT trips_trip_no_overlap "
    f"EXCLUDE USING gist (traveller_id WITH =, int8range({LOW}, {HIGH}, '[]') WITH &&)"
)
DROP = "ALTER TABLE trips_trip DROP CONSTRAINT IF EXISTS trips_trip_no_overlap"


class Migration(migrations.Migration):
    dependencies = [("trips", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
