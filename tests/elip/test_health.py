"""Health probes and weekly-run metrics (elip/health.py, elip/metrics.py)."""

import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings

from elip.constants import RunStatus
from elip.health import RUN_HOUR, RUN_WEEKDAY, WeeklyRunNotOverdue, last_due_run, run_checks
from elip.services.weekly_run import weekly_run
from tests.elip.factories import SelectionRunFactory, enrol
from tests.pib.factories import PersonFactory, UserFactory, municipality

AMS = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parents[2]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def test_the_check_follows_the_beat_schedule():
    schedule = settings.CELERY_BEAT_SCHEDULE["elip-weekly-run"]["schedule"]
    assert isinstance(schedule, crontab)
    # crontab counts Sunday = 0; Python's weekday() Monday = 0.
    assert schedule.day_of_week == {(RUN_WEEKDAY + 1) % 7}
    assert schedule.hour == {RUN_HOUR} and schedule.minute == {0}


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-12-02 11:59", "2026-11-25 06:00"),  # Wednesday, within the 6-hour grace
        ("2026-12-02 12:00", "2026-12-02 06:00"),
        ("2026-12-07 09:00", "2026-12-02 06:00"),
        # DST weeks (Europe/Amsterdam): clocks forward 2026-03-29, back 2026-10-25.
        ("2026-03-29 03:30", "2026-03-25 06:00"),
        ("2026-04-01 12:00", "2026-04-01 06:00"),
        ("2026-10-25 02:30", "2026-10-21 06:00"),
        ("2026-10-28 12:00", "2026-10-28 06:00"),
    ],
)
def test_last_due_run(now, due):
    assert last_due_run(at(now), dt.timedelta(hours=6)) == at(due)


@pytest.mark.django_db
def test_overdue_only_after_the_grace_period_and_only_without_a_finished_run():
    SelectionRunFactory(run_date=dt.date(2026, 11, 25))
    check = WeeklyRunNotOverdue(grace_hours=6, now=at("2026-12-02 11:00"))
    assert run_checks({"run": check}) == {"run": None}
    check.now = at("2026-12-02 13:00")
    assert "ontbreekt" in run_checks({"run": check})["run"]
    running = SelectionRunFactory(run_date=dt.date(2026, 12, 2), status=RunStatus.RUNNING)
    assert "niet voltooid" in run_checks({"run": check})["run"]
    running.status = RunStatus.DONE
    running.save()
    assert run_checks({"run": check}) == {"run": None}


@pytest.mark.django_db
def test_a_fresh_installation_is_not_overdue():
    assert run_checks({"run": WeeklyRunNotOverdue(now=at("2026-12-09 12:00"))}) == {"run": None}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_health_answers_get_and_head_for_anybody_never_cached(client, method):
    response = getattr(client, method)("/gezondheid/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    if method == "get":
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) >= {"database", "migraties", "opslag", "wekelijkse_run"}
    assert client.get("/gezondheid/live/").json() == {"status": "ok", "checks": {"database": "OK"}}
    assert client.post("/gezondheid/").status_code == 405


@pytest.mark.django_db
def test_unhealthy_is_503_details_only_for_staff(client):
    SelectionRunFactory(run_date=dt.date(2023, 6, 14))  # long ago: this week's run is overdue
    response = client.get("/gezondheid/")
    assert response.status_code == 503
    assert response.json()["checks"]["wekelijkse_run"] == "fout"
    assert client.head("/gezondheid/").status_code == 503
    client.force_login(UserFactory(username="beheerder", is_staff=True))
    assert "ontbreekt" in client.get("/gezondheid/").json()["checks"]["wekelijkse_run"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_worker_check_fails_without_a_worker_and_passes_with_one(tmp_path):
    """/gezondheid/ through the project's settings (broker = REDIS_URL), before and after a real
    Celery worker starts. Control pings are scoped to the Redis database (kombu's fanout prefix)."""
    from django.db import connection

    redis_url = os.environ.get("REDIS_URL", "")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("needs PostgreSQL and Redis")
    from tests.workers import database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pib.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    code = (
        "from django.test import Client; import json;"
        "r = Client().get('/gezondheid/');"
        "print(r.status_code, json.dumps(r.json()['checks']))"
    )

    class Probe:
        def __init__(self):
            done = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
            )
            self.stdout = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            self.stderr = done.stderr

    probe = Probe
    before = probe()
    assert before.stdout.startswith("503") and '"worker": "fout"' in before.stdout, before.stdout + before.stderr
    assert '"broker": "OK"' in before.stdout
    hostname = f"health-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pib", "worker", "--pool=solo", f"--hostname={hostname}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            result = probe()
            if '"worker": "OK"' in result.stdout or time.monotonic() > deadline:
                break
            time.sleep(2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert result.stdout.startswith("200") and '"worker": "OK"' in result.stdout, result.stdout + result.stderr


@pytest.mark.django_db
def test_metrics_need_the_token_or_staff_and_report_the_run(client, settings, django_capture_on_commit_callbacks):
    settings.METRICS_TOKEN = "operator-token-1234567890"
    enrol("GM0363")
    for _ in range(3):
        PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2024, 1, 1), municipality=municipality("GM0363"))
    with django_capture_on_commit_callbacks(execute=True):  # rendering and bundling run in-process
        weekly_run(run_date=dt.date(2023, 6, 14))

    assert client.get("/gezondheid/metrics/").status_code == 404
    assert client.get("/gezondheid/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/gezondheid/metrics/", HTTP_AUTHORIZATION="Bearer operator-token-1234567890")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'elip_run_letters_made{run_date="2023-06-14"} 3' in text
    assert 'elip_run_letters_failed{run_date="2023-06-14"} 0' in text
    assert 'elip_run_bundles{run_date="2023-06-14"} 1' in text
    assert 'elip_run_seconds_per_letter{run_date="2023-06-14"}' in text
    assert "# TYPE elip_run_letters_made gauge" in text
    client.force_login(UserFactory(username="beheerder", is_staff=True))
    assert client.get("/gezondheid/metrics/").status_code == 200
