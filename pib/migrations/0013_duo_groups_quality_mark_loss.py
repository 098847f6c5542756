"""DUO functioneel beheer records an institution's loss of its quality mark: the group gets the
permissions of QualityMarkLoss and view of its history (pib.duo_groups)."""

from django.db import migrations


def sync(apps, schema_editor):
    from pib.duo_groups import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("pib", "0012_quality_mark_loss")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
