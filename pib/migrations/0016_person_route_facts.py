"""The route facts on the person (pib/route_facts.py), computed from the existing exam rows."""

from django.db import migrations, models

from pib.route_facts import refresh_route_facts


def backfill(apps, schema_editor):
    refresh_route_facts(models=(apps.get_model("pib", "Person"), apps.get_model("pib", "Exam")))


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0015_sso_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="route_min_attempts",
            field=models.PositiveSmallIntegerField(
                db_default=0, default=0, editable=False, verbose_name="minste pogingen van een open onderdeel"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="route_open_components",
            field=models.PositiveSmallIntegerField(
                db_default=6, default=6, editable=False, verbose_name="open examenonderdelen"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
