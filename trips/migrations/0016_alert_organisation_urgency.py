# The alert queue and its counts read one index of the alerts, with each alert's organisation
# and the rank of its severity on the alert itself.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_organisations(apps, schema_editor):
    Alert = apps.get_model("trips", "Alert")
    Traveller = apps.get_model("trips", "Traveller")
    organisation = Traveller.objects.filter(pk=OuterRef("traveller_id")).values("organisation_id")
    Alert.objects.update(organisation_id=Subquery(organisation))


class Migration(migrations.Migration):

    dependencies = [
        ('trips', '0015_snapshot_sort_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='alert',
            name='organisation',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='trips.organisation', verbose_name='organisation'),
        ),
        migrations.RunPython(fill_organisations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='alert',
            name='organisation',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='trips.organisation', verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='alert',
            name='urgency',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(severity='ok', then=models.Value(0)), models.When(severity='attention', then=models.Value(1)), models.When(severity='action', then=models.Value(2)), models.When(severity='overstay', then=models.Value(3)), default=models.Value(0)), output_field=models.PositiveSmallIntegerField()),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(condition=models.Q(('state__in', ['open', 'acknowledged'])), fields=['organisation', '-urgency', 'due_on', 'opened_at', 'id'], name='trips_alert_queue'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(fields=['organisation', 'state', 'severity'], name='trips_alert_org_state'),
        ),
    ]
