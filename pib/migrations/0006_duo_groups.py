"""Ships the two DUO admin groups with exactly their permissions (pib/duo_groups.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from pib.duo_groups import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0005_registry_history_and_role_changes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("elip", "0003_normalise_phone_numbers"),
        ("signals", "0002_person_contact"),
        ("letters", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
