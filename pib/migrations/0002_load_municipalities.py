"""Load the 342 municipalities of 1 January 2025 (CBS) from fixtures/gemeenten-2025.csv."""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parents[2] / "fixtures" / "gemeenten-2025.csv"


def load(apps, schema_editor):
    Municipality = apps.get_model("pib", "Municipality")
    with CSV.open(encoding="utf-8") as fh:
        rows = [Municipality(code=r["code"], name=r["name"], province=r["province"]) for r in csv.DictReader(fh)]
    existing = set(Municipality.objects.values_list("code", flat=True))
    Municipality.objects.bulk_create([m for m in rows if m.code not in existing])


class Migration(migrations.Migration):
    dependencies = [("pib", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
