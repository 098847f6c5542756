"""DUO accountbeheer lifts sign-in lockouts and resets second factors: the group gets view and
delete of django-axes attempts and django-otp devices (pib.duo_groups). Runs after those apps'
own migrations, so their permissions exist."""

from django.db import migrations


def sync(apps, schema_editor):
    from pib.duo_groups import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("pib", "0009_role_mijn_duo_beheerder"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
