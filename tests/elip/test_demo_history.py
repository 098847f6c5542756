"""The demo's letter history (issue 15): past runs with letters and outcomes for the figures, without
PDFs, and nothing the portal's screens or the next weekly run trip over."""

import datetime as dt

import pytest

from elip.demo.accounts import create_demo_enrolments
from elip.demo.history import add_letter_history
from elip.demo.population import build_population
from elip.figures import LETTER, cohort_table, letter_cohorts
from elip.models import ComparisonEntry, RunMunicipality, SelectionRun
from elip.selectors import downloadable_bundles
from elip.services.weekly_run import weekly_run
from letters.models import Letter, LetterBundle, RenderStatus
from pib.models import Person
from tests.conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def history():
    build_population(persons=600, seed=5, today=TODAY)
    create_demo_enrolments()
    return add_letter_history(today=TODAY, months=18, seed=5, extra_persons=300)


def test_history_makes_weekly_runs_letters_and_a_comparison_group(history):
    assert history["runs"] >= 77 and history["letters"] > 100 and history["comparison"] > 50
    runs = SelectionRun.objects.filter(run_date__lt=TODAY)
    assert runs.count() == history["runs"]
    assert {r.run_date.weekday() for r in runs} == {2}  # Wednesdays
    assert not Letter.objects.filter(letter_date__gte=TODAY).exists()
    total = sum(RunMunicipality.objects.values_list("letters_count", flat=True))
    assert total == Letter.objects.count() == history["letters"]
    assert not ComparisonEntry.objects.filter(person__elip_letter__isnull=False).exists()


def test_historic_letters_have_no_pdf_and_are_never_offered_for_download(history):
    assert set(Letter.objects.values_list("render_status", flat=True)) == {RenderStatus.RENDERED}
    assert not Letter.objects.exclude(pdf="").exists()
    assert LetterBundle.objects.exists() and not LetterBundle.objects.exclude(pdf="").exists()
    from pib.constants import Role
    from tests.pib.factories import UserFactory

    user = UserFactory(roles={"GM0014": [Role.ELIP_PERSONS]})
    from pib.models import Municipality

    assert not downloadable_bundles(user, Municipality.objects.get(code="GM0014"), TODAY).exists()


def test_history_gives_complete_cohorts_and_runs_once(history):
    rows = cohort_table(letter_cohorts(), group=LETTER, horizon=6, size=3)
    assert any(row.complete and row.members.value for row in rows)
    assert add_letter_history(today=TODAY, months=18, seed=5) == {}


def test_the_next_weekly_run_still_letters_the_candidates_left_for_it(history):
    before = Letter.objects.count()
    run = weekly_run(run_date=dt.date(2025, 3, 12))
    assert Letter.objects.filter(dispatch_id=run.dispatch_id).count() == Letter.objects.count() - before
    assert Person.objects.filter(elip_letter__letter_date=run.run_date).exists()
