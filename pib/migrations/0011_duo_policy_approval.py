"""DUO functioneel beheer approves ELIP criteria drafted by another admin (four eyes, issue 15) and
reads their log: the group gets elip.approve_policyversion and view of elip.policyversionevent
(pib.duo_groups). Runs after elip's migration that makes that permission and model."""

from django.db import migrations


def sync(apps, schema_editor):
    from pib.duo_groups import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0010_duo_accounts_sign_in_support"),
        ("elip", "0007_policy_four_eyes"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
