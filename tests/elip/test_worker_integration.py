"""A real Celery worker on Redis and PostgreSQL is SIGKILLed in the middle of rendering a weekly
run; a new worker picks the work up. Afterwards every person has exactly one letter, every letter
its PDF (with a matching sha256) and every municipality its bundle.

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); CI sets both. The test uses REDIS_URL as
its broker and clears the Celery queue keys there first.

The weekly run itself runs as ``manage.py elip_run`` in a subprocess with the project's settings
(not eager: REDIS_URL is set), against the pytest database. The workers are started with a short
Redis ``visibility_timeout`` so the batch the killed worker held is redelivered within seconds
(production: see docs/weekly-run.md).
"""

import contextlib
import datetime as dt
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
RUN_DATE = "2023-06-14"
PERSONS = {"GM0363": 24, "GM0014": 16}  # 40 letters: several seconds of rendering on one worker
BATCH = 4
WORKER_BOOT = """
import sys
from pib.celery import app
app.conf.broker_transport_options = {
    "visibility_timeout": 8, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.worker_main(sys.argv[1:])
"""


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def env(settings):
    from django.db import connection

    redis_url = os.environ.get("REDIS_URL", "")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pib.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media),
        "LETTER_BATCH_SIZE": str(BATCH),
        "PYTHONPATH": str(ROOT),
        # DEBUG is off in these processes: they refuse to start on the public demo keys (pib.checks).
        "SECRET_KEY": secrets.token_urlsafe(50),
        "READLOG_KEY": secrets.token_urlsafe(50),
    }
    yield environment
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def start_worker(env, name, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed by the caller via the process
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER_BOOT,
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL takes the pool child with it
    )


def kill_group(proc, sig=signal.SIGKILL):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def wait_for(condition, timeout, what, log_path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = Path(log_path).read_text(errors="replace")[-4000:] if Path(log_path).exists() else ""
    pytest.fail(f"timed out waiting for {what}; worker log tail:\n{tail}")


def test_worker_killed_mid_run_and_restarted_ends_with_every_letter_once(env, tmp_path):
    from django.core.files.storage import default_storage
    from django.db.models import Count

    from elip.models import SelectionRun
    from letters.models import Letter, LetterBundle, RenderStatus
    from signals.constants import SignalCode
    from signals.models import Signal
    from tests.elip.factories import enrol
    from tests.pib.factories import PersonFactory, municipality

    people = []
    for code, n in PERSONS.items():
        enrol(code)
        people += [
            PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2024, 1, 1), municipality=municipality(code))
            for _ in range(n)
        ]
    total = len(people)

    # 1. The weekly run: letters + SS400 committed, render batches queued on Redis (no worker yet).
    result = subprocess.run(
        [sys.executable, "manage.py", "elip_run", "--date", RUN_DATE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert Letter.objects.count() == total
    assert not Letter.objects.exclude(render_status=RenderStatus.PENDING).exists()

    def rendered():
        return Letter.objects.filter(render_status=RenderStatus.RENDERED).count()

    # 2. A worker starts rendering and is SIGKILLed halfway.
    log = tmp_path / "worker.log"
    first = start_worker(env, "first", log)
    try:
        wait_for(lambda: rendered() >= BATCH + 1, 180, "the first worker to render a few letters", log)
    finally:
        kill_group(first)
    done_at_kill = rendered()
    assert done_at_kill < total, "rendering finished before the kill; the test needs more letters"
    print(f"killed the first worker after {done_at_kill} of {total} letters")  # noqa: T201

    # 3. A new worker finishes the work, including the batch the killed worker held.
    second = start_worker(env, "second", log)
    try:
        wait_for(lambda: rendered() == total, 240, "all letters rendered by the second worker", log)
        wait_for(
            lambda: LetterBundle.objects.exclude(pdf="").filter(letters_count__gt=0).count() == len(PERSONS),
            120,
            "one bundle per municipality",
            log,
        )
    finally:
        kill_group(second, signal.SIGTERM)

    run = SelectionRun.objects.get()
    per_person = dict(Letter.objects.values("person_id").annotate(n=Count("pk")).values_list("person_id", "n"))
    assert per_person == {p.pk: 1 for p in people}
    assert Signal.objects.filter(code=SignalCode.SS400).count() == total
    for letter in Letter.objects.all():
        assert letter.render_status == RenderStatus.RENDERED
        with default_storage.open(letter.pdf.name, "rb") as f:
            assert f.read(5) == b"%PDF-"
            f.seek(0)
            assert hashlib.sha256(f.read()).hexdigest() == letter.pdf_sha256
    bundles = dict(
        LetterBundle.objects.filter(dispatch=run.dispatch).values_list("municipality__code", "letters_count")
    )
    assert bundles == PERSONS
    for bundle in LetterBundle.objects.filter(dispatch=run.dispatch):
        with default_storage.open(bundle.pdf.name, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == bundle.pdf_sha256
