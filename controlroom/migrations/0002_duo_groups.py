"""DUO functioneel beheer opens the control room, acknowledges its alerts and takes its actions: the
group gets the controlroom permissions of pib.duo_groups.GROUPS (sync after this app's tables exist)."""

from django.db import migrations


def sync(apps, schema_editor):
    from pib.duo_groups import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("controlroom", "0001_initial"),
        ("pib", "0013_duo_groups_quality_mark_loss"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
