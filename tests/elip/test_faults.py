"""Faults during a weekly run, with real processes (issue 12, point 5): PostgreSQL, Redis, Celery
workers and beat as production runs them, started from the project's settings in subprocesses
against the pytest database.

1. 2,000 letters; the worker is SIGKILLed (parent and pool children) at 25 %, 50 % and 75 % of the
   rendered letters and started again each time: the batches it held come back (Redis visibility
   timeout, short here) and every letter ends with one PDF, its sha256 matching, one bundle per
   municipality, no file left over.
2. Redis (our own server on a free port, no persistence) is SIGKILLed mid-run and started again
   empty: the queued batches are gone, the database is the truth, and the sweeper that beat runs
   (``letters.sweep``) queues what is still pending; nothing lost, nothing doubled.
3. The worker's database connections are killed (``pg_terminate_backend``) while it holds a letter
   in a transaction: the batch task retries and nothing is doubled.
4. Two manual triggers at once in a DST week (``manage.py elip_run`` twice, for two dates of the same
   ISO week): one run. (Two beat processes firing the weekly task at once, and the DST boundaries
   themselves, are in tests/elip/test_run_iso_week.py.)

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL, and ``redis-server`` for 2); CI has both.
Waits poll the database with a timeout on *progress* (no progress for N seconds fails), so a slow
machine is slow, not flaky. Each test prints its figures (``pytest -s``).
"""

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tests.workers import (
    ROOT,
    clear_celery_keys,
    database_url,
    free_port,
    kill_group,
    log_tail,
    project_environment,
    start_beat,
    start_redis,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STALL = 180  # seconds without a single letter rendered before a wait gives up


@pytest.fixture
def worker_env(settings):
    """The environment for worker, beat and ``manage.py`` processes on the pytest database, with
    REDIS_URL as broker (its Celery queue keys cleared before and after) and this test's MEDIA_ROOT."""
    from django.db import connection

    redis_url = os.environ.get("REDIS_URL", "")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    clear_celery_keys(redis_url)
    yield project_environment(
        database=database_url(connection.settings_dict), redis_url=redis_url, media_root=media, batch_size=10
    )
    clear_celery_keys(redis_url)


def seed_candidates(counts: dict[str, int], *, term_end: dt.date) -> list[int]:
    """Enrolled municipalities with ``counts`` letter-ready persons each (Wi2013, obliged, 80 % of
    the loan paid), written in bulk: 2,000 persons in a few seconds."""
    from pib.constants import Course, InvoiceStatus
    from pib.models import Contract, Invoice, Loan, Person
    from tests.elip.factories import enrol
    from tests.pib.factories import InstitutionFactory, PersonFactory, municipality

    institution = InstitutionFactory()
    persons = []
    for code, n in counts.items():
        enrol(code)
        place = municipality(code)
        persons += [PersonFactory.build(municipality=place, term_end=term_end) for _ in range(n)]
    persons = Person.objects.bulk_create(persons)
    Loan.objects.bulk_create(
        Loan(person=p, limit=Decimal("10000"), start_date=p.term_start, end_date=p.term_end) for p in persons
    )
    contracts = Contract.objects.bulk_create(
        Contract(person=p, number=f"F{p.pk}", course=Course.INTEGRATION, institution=institution,
                 start_date=p.term_start, end_date=p.term_end, hours=1, hourly_rate=Decimal("8000"))
        for p in persons
    )  # fmt: skip
    Invoice.objects.bulk_create(
        Invoice(person=c.person, contract=c, number=c.number, description="Factuur inburgering",
                invoice_date=c.start_date, status=InvoiceStatus.PAID, period_start=c.start_date,
                period_end=c.end_date, course_count=1, course_amount=Decimal("8000"))
        for c in contracts
    )  # fmt: skip
    return [p.pk for p in persons]


def elip_run(env, *dates: str) -> None:
    """``manage.py elip_run --date D`` for each date, all at once (real concurrent triggers)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "elip_run", "--date", d],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for d in dates
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, out + err


def rendered() -> int:
    from letters.models import Letter, RenderStatus

    return Letter.objects.filter(render_status=RenderStatus.RENDERED).count()


def complete_bundles() -> int:
    from django.db.models import Count, OuterRef, Subquery

    from letters.models import Letter, LetterBundle

    total = (
        Letter.objects.filter(dispatch=OuterRef("dispatch"), municipality=OuterRef("municipality"))
        .order_by()
        .values("municipality")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return LetterBundle.objects.exclude(pdf="").filter(letters_count=Subquery(total)).count()


def assert_every_letter_once(person_ids, per_municipality: dict[str, int]) -> dict:
    """Exactly one letter and SS400 per person, one PDF file per letter (no orphans) whose sha256 is
    the recorded one, one complete bundle per municipality (its file's sha256 too). Returns figures."""
    from django.conf import settings
    from django.db.models import Count

    from elip.models import SelectionRun
    from letters.models import Letter, LetterBundle, RenderStatus
    from signals.constants import SignalCode
    from signals.models import Signal

    run = SelectionRun.objects.get()
    letters = list(Letter.objects.order_by("pk").values_list("person_id", "render_status", "pdf", "pdf_sha256"))
    assert sorted(p for p, *_ in letters) == sorted(person_ids)  # one letter per person (also unique in the db)
    assert {status for _, status, *_ in letters} == {RenderStatus.RENDERED}
    ss400 = Signal.objects.filter(code=SignalCode.SS400).values("person_id").annotate(n=Count("pk"))
    assert {row["person_id"]: row["n"] for row in ss400} == dict.fromkeys(person_ids, 1)
    media = Path(settings.MEDIA_ROOT)
    on_disk = sorted(str(p.relative_to(media)) for p in (media / "letters").rglob("*") if p.is_file())
    assert on_disk == sorted(name for *_, name, _ in letters)  # one file per letter, none left over
    for *_, name, sha in letters:
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == sha, name
    bundles = list(LetterBundle.objects.filter(dispatch=run.dispatch).select_related("municipality"))
    assert {b.municipality.code: b.letters_count for b in bundles} == per_municipality
    assert LetterBundle.objects.count() == len(per_municipality)
    bundle_files = sorted(str(p.relative_to(media)) for p in (media / "bundles").rglob("*") if p.is_file())
    assert bundle_files == sorted(b.pdf.name for b in bundles)
    for bundle in bundles:
        assert hashlib.sha256((media / bundle.pdf.name).read_bytes()).hexdigest() == bundle.pdf_sha256
    return {
        "letters": len(letters),
        "files": len(on_disk),
        "bundles": len(bundles),
        "ss400": sum(r["n"] for r in ss400),
    }


# --- 1. The worker SIGKILLed three times during 2,000 letters ------------------------------------

KILL_MUNICIPALITIES = ["GM0014", "GM0034", "GM0153", "GM0202", "GM0344", "GM0363", "GM0518", "GM0599"]
KILL_PER_MUNICIPALITY = 250  # 8 × 250 = 2,000 letters, 8 bundles of 250 (a 500-letter merge peaks at ~650 MiB)


def test_2000_letters_with_the_worker_killed_at_25_50_and_75_percent(worker_env, tmp_path):
    started = time.monotonic()
    counts = dict.fromkeys(KILL_MUNICIPALITIES, KILL_PER_MUNICIPALITY)
    total = sum(counts.values())
    people = seed_candidates(counts, term_end=dt.date(2024, 1, 1))
    seeded = time.monotonic()
    elip_run(worker_env, "2023-06-14")  # letters + SS400 committed, 200 render batches queued on Redis
    ran = time.monotonic()

    log = tmp_path / "worker.log"
    visibility = 20  # > one batch of 10 letters even on a loaded machine; a killed batch is back within ~21 s
    worker = start_worker(worker_env, "w0", log, concurrency=2, visibility_timeout=visibility)
    kills = []
    try:
        for n, fraction in enumerate((0.25, 0.50, 0.75), start=1):
            target = int(total * fraction)
            wait_for(lambda t=target: rendered() >= t, STALL, f"{target} letters rendered", log, progress=rendered)
            kill_group(worker)  # SIGKILL: parent and pool children, mid-batch, no goodbye to Redis
            kills.append(rendered())
            worker = start_worker(worker_env, f"w{n}", log, concurrency=2, visibility_timeout=visibility)
        wait_for(lambda: rendered() == total, STALL, "all letters rendered", log, progress=rendered)
        wait_for(lambda: complete_bundles() == len(counts), STALL, "every bundle", log, progress=complete_bundles)
    finally:
        kill_group(worker, signal.SIGTERM)
    finished = time.monotonic()

    assert all(k < total for k in kills) and kills == sorted(kills), kills
    figures = assert_every_letter_once(people, counts)
    assert figures == {"letters": total, "files": total, "bundles": len(counts), "ss400": total}
    print(  # noqa: T201
        f"\n[faults] kill test: {total} letters, {len(counts)} bundles; killed at {kills} rendered; "
        f"seed {seeded - started:.1f} s, weekly run {ran - seeded:.1f} s, rendering with 3 kills "
        f"{finished - ran:.1f} s ({total / (finished - ran):.1f} letters/s), total {finished - started:.1f} s"
    )


# --- 2. Redis killed and started again empty mid-run ----------------------------------------------

REDIS_COUNTS = {"GM0014": 120, "GM0363": 130}  # 250 letters, batches of 10


def test_redis_restarted_empty_mid_run_loses_nothing_and_the_sweeper_requeues(worker_env, tmp_path):
    import redis

    from elip.models import SelectionRun

    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (apt redis-server)")
    started = time.monotonic()
    port = free_port()
    redis_log, worker_log, beat_log = tmp_path / "redis.log", tmp_path / "worker.log", tmp_path / "beat.log"
    server = start_redis(port, tmp_path, redis_log)
    env = {
        **worker_env,
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        # Beat sweeps every 5 s; a letter pending 5 s after it was made is queued again (production:
        # 600 s and 3,600 s). Queuing a letter that is still queued is harmless: that is tested too.
        "LETTER_SWEEP_INTERVAL_SECONDS": "5",
        "LETTER_SWEEP_AFTER_SECONDS": "5",
    }
    total = sum(REDIS_COUNTS.values())
    people = seed_candidates(REDIS_COUNTS, term_end=dt.date(2027, 3, 1))
    # Two manual triggers at once in the week the clocks go back (Wed 21 and Sun 25 October 2026, ISO
    # week 43): one run.
    elip_run(env, "2026-10-21", "2026-10-25")
    assert list(SelectionRun.objects.values_list("iso_year", "iso_week")) == [(2026, 43)]
    workers = [start_worker(env, "r0", worker_log, concurrency=2, visibility_timeout=3600)]
    beat = start_beat(env, beat_log, tmp_path / "beat-schedule")
    logs = (worker_log, beat_log, redis_log)
    try:
        wait_for(lambda: rendered() >= total // 4, STALL, "a quarter rendered", *logs, progress=rendered)
        client = redis.Redis(host="127.0.0.1", port=port)
        lost = client.llen("celery") + client.hlen("unacked")
        kill_group(server)  # the queue, the unacknowledged batches and the beat's messages: gone
        at_kill = rendered()
        assert not list(tmp_path.glob("*.rdb")) and not list(tmp_path.glob("*.aof"))  # nothing to load again
        server = start_redis(port, tmp_path, redis_log)  # empty: only the sweeper can bring the work back
        restarted = time.monotonic()
        wait_for(lambda: rendered() == total, STALL, "all letters rendered", *logs, progress=rendered)
        wait_for(
            lambda: complete_bundles() == len(REDIS_COUNTS), STALL, "every bundle", *logs, progress=complete_bundles
        )
    finally:
        kill_group(beat, signal.SIGTERM)
        for worker in workers:
            kill_group(worker, signal.SIGTERM)
        kill_group(server)
    finished = time.monotonic()

    assert at_kill < total, "rendering finished before Redis was killed; the test needs more letters"
    assert lost > 0  # there was queued work to lose
    figures = assert_every_letter_once(people, REDIS_COUNTS)
    assert figures == {"letters": total, "files": total, "bundles": len(REDIS_COUNTS), "ss400": total}
    assert "letters sweep:" in worker_log.read_text(errors="replace")  # the sweeper re-queued work
    print(  # noqa: T201
        f"\n[faults] redis test: {total} letters; Redis killed at {at_kill} rendered, {lost} messages lost; "
        f"{finished - restarted:.1f} s from the empty restart to the last bundle; total {finished - started:.1f} s"
    )


# --- 3. The worker's database connection killed mid-batch ----------------------------------------

PG_COUNTS = {"GM0014": 100, "GM0363": 100}
WORKER_APP = "elip-faults-worker"


def terminate_worker_connections_in_a_transaction() -> int:
    """Wait until a worker connection holds a letter in an open transaction (it is rendering), then
    terminate every worker connection. Returns how many were terminated."""
    from django.db import connection

    def busy():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND state = 'idle in transaction'",
                [WORKER_APP],
            )
            return cursor.fetchone()[0] > 0

    wait_for(busy, 60, "a worker connection inside a letter's transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s",
            [WORKER_APP],
        )
        return cursor.fetchone()[0]


def test_worker_database_connection_killed_mid_batch_retries_and_doubles_nothing(worker_env, tmp_path):
    from django.db import connection

    from elip.models import SelectionRun

    started = time.monotonic()
    total = sum(PG_COUNTS.values())
    people = seed_candidates(PG_COUNTS, term_end=dt.date(2026, 12, 1))
    # Two manual triggers at once in the week the clocks go forward (Wed 25 and Sun 29 March 2026,
    # ISO week 13): one run.
    elip_run(worker_env, "2026-03-25", "2026-03-29")
    assert list(SelectionRun.objects.values_list("iso_year", "iso_week")) == [(2026, 13)]
    env = {**worker_env, "DATABASE_URL": database_url(connection.settings_dict, application_name=WORKER_APP)}
    log = tmp_path / "worker.log"
    worker = start_worker(env, "pg", log, concurrency=2, visibility_timeout=3600)
    terminated = []
    try:
        for fraction in (0.25, 0.50, 0.75):
            target = int(total * fraction)
            wait_for(lambda t=target: rendered() >= t, STALL, f"{target} letters rendered", log, progress=rendered)
            terminated.append(terminate_worker_connections_in_a_transaction())
        wait_for(lambda: rendered() == total, STALL, "all letters rendered", log, progress=rendered)
        wait_for(lambda: complete_bundles() == len(PG_COUNTS), STALL, "every bundle", log, progress=complete_bundles)
    finally:
        kill_group(worker, signal.SIGTERM)
    finished = time.monotonic()

    assert all(terminated), terminated
    text = log.read_text(errors="replace")
    retries = text.count("retry: Retry in")
    assert retries >= 1, log_tail(log)  # the batch whose connection died was retried by Celery
    figures = assert_every_letter_once(people, PG_COUNTS)
    assert figures == {"letters": total, "files": total, "bundles": len(PG_COUNTS), "ss400": total}
    print(  # noqa: T201
        f"\n[faults] pg test: {total} letters; worker connections terminated {terminated} (at 25/50/75 %), "
        f"{retries} task retries; total {finished - started:.1f} s"
    )
