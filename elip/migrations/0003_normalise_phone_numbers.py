"""Phone numbers of ELIP enrolments in E.164 (``+31503679111``), as ``pib.formatting.normalize_phone``
stores every new one. Values it cannot parse are left as they are (shown as typed, never lost).
The reverse step turns them back into the former national digits (``0503679111``, ``14050``)."""

from django.db import migrations

PHONE_FIELDS = ("letter_phone", "contact_phone")


def forwards(apps, schema_editor):
    from pib.formatting import normalize_phone

    ElipEnrolment = apps.get_model("elip", "ElipEnrolment")
    for enrolment in ElipEnrolment.objects.all().only("pk", *PHONE_FIELDS):
        changed = []
        for field in PHONE_FIELDS:
            value = getattr(enrolment, field)
            normal = normalize_phone(value) if value else None
            if normal and normal != value:
                setattr(enrolment, field, normal)
                changed.append(field)
        if changed:
            enrolment.save(update_fields=changed)


def backwards(apps, schema_editor):
    ElipEnrolment = apps.get_model("elip", "ElipEnrolment")
    for enrolment in ElipEnrolment.objects.all().only("pk", *PHONE_FIELDS):
        for field in PHONE_FIELDS:
            value = getattr(enrolment, field)
            if value.startswith("+3114"):
                setattr(enrolment, field, value[3:])
            elif value.startswith("+31"):
                setattr(enrolment, field, "0" + value[3:])
        enrolment.save(update_fields=list(PHONE_FIELDS))


class Migration(migrations.Migration):
    dependencies = [("elip", "0002_policy_versions")]

    operations = [migrations.RunPython(forwards, backwards)]
