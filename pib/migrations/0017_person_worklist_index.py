"""The Werkvoorraad orders a municipality's obliged persons by urgency from the index alone: the
Overzicht ELIP index with the columns of the urgency order included (PostgreSQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0016_person_route_facts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="person",
            name="person_muni_status_name_idx",
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["municipality", "obligation_status", "last_name", "first_names", "id"],
                include=(
                    "term_end",
                    "lesson_hours_integration",
                    "lesson_hours_literacy",
                    "route_open_components",
                    "route_min_attempts",
                ),
                name="person_worklist_idx",
            ),
        ),
    ]
