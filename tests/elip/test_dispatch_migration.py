"""The migration that moves letters off ``elip.SelectionRun`` keeps every row: each existing run
gets a ``letters.Dispatch`` of its date, and its letters and bundles point to that dispatch."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("elip", "0004_selectionrun_dispatch"), ("letters", "0002_dispatch")]
AFTER = [("elip", "0006_selectionrun_dispatch_required"), ("letters", "0003_dispatch_replaces_run")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_runs_letters_and_bundles_get_their_dispatch():
    old = migrate(BEFORE)
    Municipality = old.get_model("pib", "Municipality")
    Person = old.get_model("pib", "Person")
    PolicyVersion = old.get_model("elip", "PolicyVersion")
    SelectionRun = old.get_model("elip", "SelectionRun")
    Letter = old.get_model("letters", "Letter")
    LetterBundle = old.get_model("letters", "LetterBundle")
    municipality = Municipality.objects.get(code="GM0363")
    policy = PolicyVersion.objects.order_by("valid_from").first()
    runs = [
        SelectionRun.objects.create(
            run_date=day, iso_year=day.isocalendar()[0], iso_week=day.isocalendar()[1], policy=policy
        )
        for day in (dt.date(2023, 6, 14), dt.date(2023, 6, 21))
    ]
    for n, run in enumerate(runs):
        person = Person.objects.create(
            bsn=f"11111111{n}",
            first_names="Test",
            last_name=f"Migratie {n}",
            birth_date=dt.date(1980, 1, 1),
            house_number=1,
            municipality=municipality,
            term_start=dt.date(2020, 1, 1),
            term_end=dt.date(2024, 1, 1),
        )
        Letter.objects.create(
            person=person,
            municipality=municipality,
            run=run,
            letter_date=run.run_date,
            reference=f"ELIP-{n}",
            matched_rule="lening",
            snapshot={},
        )
        LetterBundle.objects.create(run=run, municipality=municipality, letters_count=1)

    new = migrate(AFTER)
    SelectionRun = new.get_model("elip", "SelectionRun")
    Letter = new.get_model("letters", "Letter")
    LetterBundle = new.get_model("letters", "LetterBundle")
    for run in SelectionRun.objects.filter(pk__in=[r.pk for r in runs]).select_related("dispatch"):
        assert run.dispatch.date == run.run_date
        assert list(Letter.objects.filter(dispatch=run.dispatch).values_list("letter_date", flat=True)) == [
            run.run_date
        ]
        assert LetterBundle.objects.filter(dispatch=run.dispatch).count() == 1
    Letter.objects.all().delete()
    LetterBundle.objects.all().delete()
    SelectionRun.objects.all().delete()
    new.get_model("pib", "Person").objects.filter(last_name__startswith="Migratie").delete()
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())  # back to the newest schema for the tests that follow
