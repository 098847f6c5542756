"""The control room's demo data: history, timings, an alert; repeating it adds nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from controlroom.constants import AlertKind
from controlroom.demo import build_control_demo
from controlroom.models import Alert
from elip.demo.accounts import create_demo_enrolments
from elip.models import SelectionRun

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize("moment", [dt.datetime(2025, 3, 6, 10, 0), dt.datetime(2025, 3, 4, 10, 0)])
def test_demo_has_weeks_of_history_realistic_times_and_an_alert(moment):
    create_demo_enrolments()
    with time_machine.travel(moment.replace(tzinfo=AMS), tick=False):
        first = build_control_demo(seed=7)
        assert first["runs_added"] == 26 and first["alerts"] >= 2
        kinds = set(Alert.objects.values_list("kind", flat=True))
        assert {AlertKind.RUN_LATE, AlertKind.COUNT_ZERO} <= kinds
        for run in SelectionRun.objects.all():
            start = run.started_at.astimezone(AMS)
            assert start.date() == run.run_date and start.hour == 6
            assert run.finished_at > run.started_at
        again = build_control_demo(seed=7)
        assert again == {"runs_added": 0, "runs_timed": 0, "alerts": 0}


def test_demo_on_top_of_the_letter_history_adds_no_runs_and_flags_no_history_bundle():
    from controlroom.constants import AlertKind as Kind
    from elip.demo.history import add_letter_history
    from elip.demo.population import build_population

    today = dt.date(2025, 3, 4)  # a Tuesday: the last due run (26-02) is history
    build_population(persons=300, seed=3, today=today)
    create_demo_enrolments()
    with time_machine.travel(dt.datetime(2025, 3, 4, 10, 0, tzinfo=AMS), tick=False):
        add_letter_history(today=today, months=4, seed=3)
        runs = SelectionRun.objects.count()
        result = build_control_demo(seed=3)
    assert result["runs_added"] == 0 and SelectionRun.objects.count() == runs >= 12
    assert result["runs_timed"] == runs
    assert Alert.objects.filter(kind=Kind.RUN_LATE).exists()
    assert not Alert.objects.filter(kind__in=[Kind.BUNDLE_MISSING, Kind.RENDER_FAILED]).exists()
