"""The Werkvoorraad reads a municipality's obliged persons in id order with every column of its
urgency order from one index (PostgreSQL: an index-only scan, merge-joined with the letters'
person index)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0016_person_route_facts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["municipality", "obligation_status", "id"],
                include=(
                    "term_end",
                    "lesson_hours_integration",
                    "lesson_hours_literacy",
                    "route_open_components",
                    "route_min_attempts",
                    "last_name",
                    "first_names",
                    "prefix",
                ),
                name="person_worklist_idx",
            ),
        ),
    ]
