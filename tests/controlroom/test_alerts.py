"""Alerts (controlroom.services): the rules and their boundaries, idempotence, resolution, e-mail."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from controlroom.constants import AlertKind
from controlroom.models import Alert
from controlroom.services import (
    alerts_evaluate,
    count_outside_band,
    deadline_of,
    last_deadline,
)
from elip.models import SelectionRun
from letters.models import Letter, LetterBundle, RenderStatus
from tests.controlroom.factories import accounts, functional, week_run
from tests.pib.factories import municipality

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
WED = dt.date(2025, 3, 5)  # a Wednesday (winter time)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


def kinds(**filters):
    return sorted(Alert.objects.filter(**filters).values_list("kind", flat=True))


# --- the deadline --------------------------------------------------------------------------------


def test_deadline_is_wednesday_seven_local_time_in_winter_and_summer():
    assert deadline_of(WED) == at(WED, 7)
    assert deadline_of(dt.date(2025, 3, 3)) == at(WED, 7)  # a run by hand on Monday: that week's Wednesday
    summer = dt.date(2025, 7, 2)
    assert deadline_of(summer).astimezone(dt.UTC).hour == 5
    assert deadline_of(WED).astimezone(dt.UTC).hour == 6


def test_last_deadline_turns_at_exactly_seven():
    assert last_deadline(at(WED, 6, 59)) == at(WED - dt.timedelta(days=7), 7)
    assert last_deadline(at(WED, 7, 0)) == at(WED, 7)
    assert last_deadline(at(WED + dt.timedelta(days=6), 23, 59)) == at(WED, 7)


# --- run not complete by 07:00 ----------------------------------------------------------------------


def test_no_run_ever_is_no_alert():
    assert alerts_evaluate(now=at(WED, 8)) == []


def test_run_done_before_seven_is_no_alert_and_after_seven_is():
    week_run(WED, {}, finished_at=at(WED, 6, 59))
    assert alerts_evaluate(now=at(WED, 7)) == []
    SelectionRun.objects.filter(run_date=WED).update(finished_at=at(WED, 7, 1))
    (alert,) = alerts_evaluate(now=at(WED, 8))
    assert alert.kind == AlertKind.RUN_LATE and "07:01" in alert.message and alert.run.run_date == WED


def test_run_still_running_at_seven_is_an_alert():
    week_run(WED, {}, status="bezig")
    (alert,) = alerts_evaluate(now=at(WED, 7))
    assert alert.kind == AlertKind.RUN_LATE and "niet voltooid" in alert.message


def test_missing_run_of_the_week_is_an_alert_only_from_seven():
    week_run(WED - dt.timedelta(days=7), {}, finished_at=at(WED - dt.timedelta(days=7), 6, 30))
    assert alerts_evaluate(now=at(WED, 6, 59)) == []
    (alert,) = alerts_evaluate(now=at(WED, 7))
    assert alert.kind == AlertKind.RUN_LATE and alert.run is None and "ontbrak" in alert.message
    assert alert.run_date == WED


# --- failed renders and missing bundles -------------------------------------------------------------


def test_failed_renders_per_municipality_and_resolved_when_rendered_again():
    week_run(WED, {"GM0014": 3, "GM0363": 1}, letters={"GM0014": 1, "GM0363": 1}, failed={"GM0014": 2},
             bundles=["GM0363"], finished_at=at(WED, 6, 30))  # fmt: skip
    created = alerts_evaluate(now=at(WED, 6, 45))
    assert [(a.kind, a.municipality.code) for a in created] == [(AlertKind.RENDER_FAILED, "GM0014")]
    assert created[0].figures == {"mislukt": 2, "brieven": 3}
    Letter.objects.filter(render_status=RenderStatus.FAILED).update(render_status=RenderStatus.RENDERED)
    LetterBundle.objects.create(dispatch=SelectionRun.objects.get().dispatch, municipality=municipality("GM0014"),
                                letters_count=3, pdf="bundles/x.pdf")  # fmt: skip
    assert alerts_evaluate(now=at(WED, 7, 30)) == []
    alert = Alert.objects.get()
    assert alert.resolved_at is not None


def test_bundle_missing_when_all_rendered_or_after_the_deadline_with_letters_waiting():
    week_run(WED, {"GM0014": 2, "GM0363": 2}, letters={"GM0014": 2, "GM0363": 1}, pending={"GM0363": 1},
             finished_at=at(WED, 6, 30))  # fmt: skip
    created = alerts_evaluate(now=at(WED, 6, 50))  # GM0363 still rendering before 07:00: no alert yet
    assert [(a.kind, a.municipality.code) for a in created] == [(AlertKind.BUNDLE_MISSING, "GM0014")]
    created = alerts_evaluate(now=at(WED, 7, 0))
    assert [(a.kind, a.municipality.code) for a in created] == [(AlertKind.BUNDLE_MISSING, "GM0363")]
    assert "waarvan 1 zonder PDF" in created[0].message


def test_a_bundle_with_fewer_letters_than_the_run_counts_as_missing():
    run = week_run(WED, {"GM0014": 2}, letters={"GM0014": 2}, finished_at=at(WED, 6, 30))
    LetterBundle.objects.create(dispatch=run.dispatch, municipality=municipality("GM0014"), letters_count=1,
                                pdf="bundles/x.pdf")  # fmt: skip
    assert kinds() == [] and [a.kind for a in alerts_evaluate(now=at(WED, 9))] == [AlertKind.BUNDLE_MISSING]
    LetterBundle.objects.update(letters_count=2)
    alerts_evaluate(now=at(WED, 10))
    assert Alert.objects.get().resolved_at is not None


def test_complete_run_has_no_alert():
    week_run(WED, {"GM0014": 2}, letters={"GM0014": 2}, bundles=["GM0014"], finished_at=at(WED, 6, 30))
    assert alerts_evaluate(now=at(WED, 9)) == []


# --- the usual band -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "history", "expected"),
    [
        (30, [10] * 12, None),  # exactly 3 × the median: inside the band
        (31, [10] * 12, AlertKind.COUNT_HIGH),  # one more: outside
        (8, [1, 2, 2, 3] * 3, AlertKind.COUNT_HIGH),  # median 2 (even count: mean of the middle two)
        (6, [1, 2, 2, 3] * 3, None),
        (8, [2, 3] * 6, AlertKind.COUNT_HIGH),  # median 2.5: 3 × 2.5 = 7.5 < 8
        (7, [2, 3] * 6, None),
        (99, [10, 10, 10], None),  # fewer than 4 earlier runs: no band yet
        (99, [10, 10, 10, 10], AlertKind.COUNT_HIGH),
        (5, [0, 0, 0, 0, 1], None),  # median 0: no band (any letter would be "more than 3 × 0")
        (0, [1, 5, 2, 1], AlertKind.COUNT_ZERO),  # 0 after 4 runs with letters (newest first)
        (0, [1, 5, 2], None),  # only 3 runs before
        (0, [1, 5, 2, 0, 4], None),  # a 0 among the last 4
        (0, [0, 0, 0, 0], None),
        (1, [1, 5, 2, 1], None),
    ],
)
def test_count_band_boundaries(count, history, expected):
    assert count_outside_band(count, history) == expected


def test_band_alerts_over_real_runs_use_only_the_12_runs_before():
    start = WED - dt.timedelta(weeks=14)
    for week in range(14):  # 14 earlier runs: the oldest two (count 100) fall outside the 12
        day = start + dt.timedelta(weeks=week)
        week_run(day, {"GM0014": 100 if week < 2 else 10, "GM0363": 4}, finished_at=at(day, 6, 30))
    week_run(WED, {"GM0014": 31, "GM0363": 0}, finished_at=at(WED, 6, 30))
    created = alerts_evaluate(now=at(WED, 6, 40))
    assert sorted((a.kind, a.municipality.code) for a in created) == [
        (AlertKind.COUNT_HIGH, "GM0014"),
        (AlertKind.COUNT_ZERO, "GM0363"),
    ]
    high = next(a for a in created if a.kind == AlertKind.COUNT_HIGH)
    assert high.figures["mediaan"] == 10 and len(high.figures["vorige"]) == 12
    assert "meer dan 3 × de mediaan" in high.message


def test_band_is_not_judged_while_the_run_is_running():
    start = WED - dt.timedelta(weeks=5)
    for week in range(5):
        day = start + dt.timedelta(weeks=week)
        week_run(day, {"GM0014": 10}, finished_at=at(day, 6, 30))
    week_run(WED, {"GM0014": 0}, status="bezig")
    assert kinds(kind=AlertKind.COUNT_ZERO) == [] and alerts_evaluate(now=at(WED, 6, 40)) == []


# --- idempotent, e-mailed once --------------------------------------------------------------------


def test_evaluating_twice_creates_nothing_new_and_mails_once(smtp_server):
    functional("fb1", email="fb1@duo.nl")
    functional("fb2", email="fb2@duo.nl")
    functional("fb3", email="")  # no address: not mailed
    functional("fb4", email="weg@duo.nl", is_active=False)
    accounts("ab1", email="ab1@duo.nl")  # accountbeheer: not mailed
    week_run(WED, {"GM0014": 1}, failed={"GM0014": 1}, finished_at=at(WED, 7, 5))
    first = alerts_evaluate(now=at(WED, 7, 10))
    # finished after 07:00; a failed letter, so (past the deadline) also no bundle
    assert sorted(a.kind for a in first) == sorted(
        [AlertKind.RUN_LATE, AlertKind.RENDER_FAILED, AlertKind.BUNDLE_MISSING]
    )
    assert alerts_evaluate(now=at(WED, 7, 20)) == []
    assert Alert.objects.count() == 3 and not Alert.objects.filter(emailed_at__isnull=True).exists()
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert sorted(mail["to"]) == ["fb1@duo.nl", "fb2@duo.nl"]
    assert mail["message"]["Subject"] == "Controlekamer ELIP: 3 nieuwe meldingen"
    body = smtp_server.bodies()[0]
    assert "PDF('s) mislukt voor Groningen" in body and "Run niet op tijd voltooid" in body
    # a link the reader can follow: the portal's address (PORTAL_BASE_URL) with the path
    assert "http://127.0.0.1:8000/beheer/controlekamer/meldingen/" in body


def test_a_failed_mail_is_tried_again_at_the_next_evaluation(settings, smtp_server):
    functional("fb1", email="fb1@duo.nl")
    week_run(WED, {"GM0014": 1}, failed={"GM0014": 1}, finished_at=at(WED, 6, 5))
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    alerts_evaluate(now=at(WED, 6, 10))
    assert Alert.objects.get().emailed_at is None and smtp_server.messages == []
    settings.EMAIL_PORT = port
    alerts_evaluate(now=at(WED, 6, 20))
    assert Alert.objects.get().emailed_at is not None and len(smtp_server.messages) == 1


def test_the_weekly_run_task_queues_the_alert_evaluation(settings, django_capture_on_commit_callbacks, monkeypatch):
    from controlroom import tasks as controlroom_tasks
    from elip import tasks as elip_tasks

    calls = []
    monkeypatch.setattr(controlroom_tasks, "alerts_evaluate", lambda **kw: calls.append(kw) or [])
    monkeypatch.setattr(elip_tasks, "today_in_amsterdam", lambda: WED)
    with django_capture_on_commit_callbacks(execute=True):
        elip_tasks.weekly_run.apply()
    assert calls == [{}]
    assert settings.CELERY_BEAT_SCHEDULE["controlroom-alerts"]["task"] == "controlroom.evaluate_alerts"
    schedule = settings.CELERY_BEAT_SCHEDULE["controlroom-alerts"]["schedule"]
    assert schedule.day_of_week == {3} and schedule.hour == {7} and schedule.minute == {0}


def test_alert_rows_are_unique_per_key():
    from django.db import IntegrityError, transaction

    Alert.objects.create(key="k", kind=AlertKind.RUN_LATE, run_date=WED, message="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(key="k", kind=AlertKind.RUN_LATE, run_date=WED, message="y")
    assert timezone.now()
