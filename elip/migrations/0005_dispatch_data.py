"""Every existing run gets its letters.Dispatch (same date); its letters and bundles point to it.

Keeps every row: a run's letters and bundles move from ``run`` to the run's dispatch before
letters.0003 drops ``Letter.run`` and ``LetterBundle.run``. Reversible: the way back fills
``run`` again from the dispatch's run (letters.0003 reversed first restores the column)."""

from django.db import migrations


def forwards(apps, schema_editor):
    SelectionRun = apps.get_model("elip", "SelectionRun")
    Dispatch = apps.get_model("letters", "Dispatch")
    Letter = apps.get_model("letters", "Letter")
    LetterBundle = apps.get_model("letters", "LetterBundle")
    for run in SelectionRun.objects.filter(dispatch__isnull=True).order_by("pk"):
        dispatch, _ = Dispatch.objects.get_or_create(date=run.run_date)
        run.dispatch = dispatch
        run.save(update_fields=["dispatch"])
        Letter.objects.filter(run_id=run.pk).update(dispatch=dispatch)
        LetterBundle.objects.filter(run_id=run.pk).update(dispatch=dispatch)


def backwards(apps, schema_editor):
    SelectionRun = apps.get_model("elip", "SelectionRun")
    Letter = apps.get_model("letters", "Letter")
    LetterBundle = apps.get_model("letters", "LetterBundle")
    for run in SelectionRun.objects.exclude(dispatch__isnull=True).order_by("pk"):
        Letter.objects.filter(dispatch_id=run.dispatch_id).update(run_id=run.pk)
        LetterBundle.objects.filter(dispatch_id=run.dispatch_id).update(run_id=run.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("elip", "0004_selectionrun_dispatch"),
        ("letters", "0002_dispatch"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
