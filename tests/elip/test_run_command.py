"""``manage.py elip_run``, the Celery task, and the whole run with rendering in-process."""

import datetime as dt
import hashlib
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from elip import tasks
from elip.models import SelectionRun
from elip.services.weekly_run import weekly_run
from letters.models import Letter, LetterBundle, RenderStatus
from tests.elip.factories import enrol
from tests.pib.factories import PersonFactory, municipality

pytestmark = pytest.mark.django_db


def candidate(code):
    return PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2024, 1, 1), municipality=municipality(code))


def test_command_prints_a_table_per_municipality():
    enrol("GM0363")
    enrol("GM0014")
    for code in ("GM0363", "GM0363", "GM0014"):
        candidate(code)
    out = StringIO()
    call_command("elip_run", "--date", "2023-06-14", stdout=out)
    text = out.getvalue()
    assert "ELIP-run 14-06-2023" in text
    lines = [line.split() for line in text.splitlines()]
    assert ["Amsterdam", "2"] in lines
    assert ["Groningen", "1"] in lines
    assert ["Totaal", "3"] in lines
    assert "\r" not in text  # no progress counter when stdout is not a terminal


def test_command_second_time_in_the_week_says_nothing_was_created():
    enrol("GM0363")
    candidate("GM0363")
    call_command("elip_run", "--date", "2023-06-14", stdout=StringIO())
    out = StringIO()
    call_command("elip_run", "--date", "2023-06-16", stdout=out)
    assert "al een run geweest op 14-06-2023" in out.getvalue()
    assert Letter.objects.count() == 1


@pytest.mark.parametrize("value", ["14-06-2023", "2023-02-30", "morgen", ""])
def test_command_bad_date_is_a_clear_dutch_error(value):
    with pytest.raises(CommandError, match="Ongeldige datum voor --date.*JJJJ-MM-DD"):
        call_command("elip_run", "--date", value, stdout=StringIO())
    assert not SelectionRun.objects.exists()


def test_command_date_before_any_policy_is_a_clear_error():
    with pytest.raises(CommandError, match="Geen ELIP-criteria geldig op 01-01-1990"):
        call_command("elip_run", "--date", "1990-01-01", stdout=StringIO())


def test_task_runs_for_today_in_amsterdam(monkeypatch):
    monkeypatch.setattr(tasks, "today_in_amsterdam", lambda: dt.date(2023, 6, 14))
    enrol("GM0363")
    candidate("GM0363")
    run_id = tasks.weekly_run.delay().get()
    run = SelectionRun.objects.get(pk=run_id)
    assert run.run_date == dt.date(2023, 6, 14)
    assert Letter.objects.filter(dispatch=run.dispatch).count() == 1


def test_beat_schedule_runs_the_task_on_wednesday_at_six(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["elip-weekly-run"]
    assert entry["task"] == tasks.weekly_run.name == "elip.tasks.weekly_run"
    assert entry["schedule"].day_of_week == {3} and entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Amsterdam"


def test_whole_run_in_process_renders_every_pdf_and_one_bundle_per_municipality(
    settings, django_capture_on_commit_callbacks
):
    settings.LETTER_BATCH_SIZE = 2
    enrol("GM0363")
    enrol("GM0014")
    for code in ("GM0363", "GM0363", "GM0363", "GM0014"):
        candidate(code)
    with django_capture_on_commit_callbacks(execute=True):
        run = weekly_run(run_date=dt.date(2023, 6, 14))
    letters = list(Letter.objects.filter(dispatch=run.dispatch))
    assert len(letters) == 4
    for letter in letters:
        assert letter.render_status == RenderStatus.RENDERED
        with default_storage.open(letter.pdf.name, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == letter.pdf_sha256
    bundles = dict(
        LetterBundle.objects.filter(dispatch=run.dispatch).values_list("municipality__code", "letters_count")
    )
    assert bundles == {"GM0363": 3, "GM0014": 1}


def test_command_points_to_an_unfinished_run_of_the_same_week():
    enrol("GM0363")
    candidate("GM0363")

    def crash(p):
        raise RuntimeError("stroomstoring")

    with pytest.raises(RuntimeError):
        weekly_run(run_date=dt.date(2023, 6, 14), progress=crash)
    out = StringIO()
    call_command("elip_run", "--date", "2023-06-15", stdout=out)
    assert "Maak hem af met: manage.py elip_run --date 2023-06-14" in out.getvalue()
    call_command("elip_run", "--date", "2023-06-14", stdout=StringIO())
    assert SelectionRun.objects.get().status == "voltooid"
    assert Letter.objects.count() == 1
