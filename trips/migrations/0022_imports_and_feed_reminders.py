"""Imports: how a file was read, its batch for a revert, the column names an organisation
taught; feeds: the reminder's lead time; search: names and emails without accents.

On PostgreSQL the search gets `staysite_fold`, the `unaccent` extension wrapped as IMMUTABLE
(unaccent itself is only STABLE, which an index may not use), and trigram indexes on
`UPPER(staysite_fold(column))`, the expression `TravellerQuerySet.search` writes. SQLite
gets the same function from trips/models/search.py on every connection.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

from trips.migrations._postgresql import on_postgresql

FOLD = (
    "CREATE OR REPLACE FUNCTION staysite_fold(text) RETURNS text LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
)
COLUMNS = ("name", "email")
CREATE = [FOLD] + [
    f"CREATE INDEX IF NOT EXISTS trips_traveller_{column}_fold_trgm ON trips_traveller "
    f"USING gin ((UPPER(staysite_fold({column}::text))) gin_trgm_ops)"
    for column in COLUMNS
]
DROP = [f"DROP INDEX IF EXISTS trips_traveller_{column}_fold_trgm" for column in COLUMNS] + [
    "DROP FUNCTION IF EXISTS staysite_fold(text)"
]


class Migration(migrations.Migration):

    dependencies = [
        ('trips', '0021_security_round_two'),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportColumnName',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='column name, normalised')),
                ('field', models.CharField(max_length=20, verbose_name='field')),
            ],
            options={
                'verbose_name': 'import column name',
                'verbose_name_plural': 'import column names',
            },
        ),
        migrations.AddField(
            model_name='calendarfeed',
            name='reminder_days',
            field=models.PositiveSmallIntegerField(default=3, help_text='Days before each latest legal exit and deadline; 0: no reminder.', verbose_name='reminder, days before'),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='created',
            field=models.JSONField(default=dict, verbose_name='records created'),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='lines',
            field=models.JSONField(default=list, verbose_name="the file's lines"),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='new_travellers',
            field=models.JSONField(default=list, verbose_name='travellers to create'),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='not_reverted',
            field=models.JSONField(default=list, verbose_name='records kept by the revert'),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='reading',
            field=models.JSONField(default=dict, verbose_name='how the file was read'),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='reverted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='reverted at'),
        ),
        migrations.AddField(
            model_name='importpreview',
            name='reverted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reverted by'),
        ),
        migrations.AddConstraint(
            model_name='calendarfeed',
            constraint=models.CheckConstraint(condition=models.Q(('reminder_days__lte', 60)), name='trips_calendarfeed_reminder_within_60_days', violation_error_message='A reminder comes at most 60 days before.'),
        ),
        migrations.AddField(
            model_name='importcolumnname',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_column_names', to='trips.organisation', verbose_name='organisation'),
        ),
        migrations.AddConstraint(
            model_name='importcolumnname',
            constraint=models.UniqueConstraint(fields=('organisation', 'name'), name='trips_importcolumnname_one_per_name'),
        ),
        UnaccentExtension(),
        migrations.RunPython(on_postgresql(*CREATE), on_postgresql(*DROP), elidable=False),
    ]
