"""Overzicht ELIP reads a municipality's obliged persons in name order from the index (docs/operations.md "Load")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0013_duo_groups_quality_mark_loss"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="person",
            name="person_muni_status_idx",
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["municipality", "obligation_status", "last_name", "first_names", "id"],
                name="person_muni_status_name_idx",
            ),
        ),
    ]
