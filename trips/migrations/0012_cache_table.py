from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    """The database cache's table (settings.CACHES), so that app servers share one cache."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("trips", "0011_refresh_chunks")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
