"""The two real versions of the ELIP criteria (manual chapter 1)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

VERSIONS = [
    (date(2000, 1, 1), 6, Decimal("75.00"), None, "Tot 1 juni 2021: binnen 6 maanden en 75% van de leenruimte benut."),
    (
        date(2021, 6, 1),
        12,
        Decimal("75.00"),
        Decimal("95.00"),
        "Vanaf 1 juni 2021: binnen 12 maanden en 75% benut, of 95% benut ongeacht de termijn.",
    ),
]


def load(apps, schema_editor):
    PolicyVersion = apps.get_model("elip", "PolicyVersion")
    for valid_from, months, term_pct, loan_pct, note in VERSIONS:
        PolicyVersion.objects.get_or_create(
            valid_from=valid_from,
            defaults={
                "months_before_term_end": months,
                "term_rule_percentage": term_pct,
                "loan_rule_percentage": loan_pct,
                "note": note,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("elip", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
