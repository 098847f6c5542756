"""Benchmark: signals screens and CSV at national scale (targets: results page p95 ≤ 150 ms,
CSV of 100,000 rows with ≤ 50 MB peak memory growth).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_sigbench
    python tests/bench/bench_signals.py [--requests 200] [--reload]

Creates the database if missing, migrates it and loads (once; ``--reload`` to redo) 1,000,000
signals over the 342 municipalities with PostgreSQL COPY: the largest municipality (Amsterdam,
GM0363) gets 100,000 signals over 5,000 persons, the others ~2,640 each over 5 persons each.
Statuses 40% Nieuw / 20% In behandeling / 40% Afgehandeld, codes SS400–SS404, dates over two years.

Measures with Django's test Client (the whole request: middleware, session, scoping, table,
template, read log):
- "Selecteren signalen" of the largest municipality sorted by date: ascending page 1, descending
  at random pages, the "Toon deze signalen" preset (not Afgehandeld), p50/p95 over N requests;
- "Download alle signalen" (100,000 rows): time, and peak memory growth (tracemalloc peak of the
  download, and the process RSS growth);
- the retention run on the first day of the quarter over the whole table (rolled back).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")
os.environ.setdefault("DEBUG", "false")

TOTAL = 1_000_000
LARGEST_CODE = "GM0363"
LARGEST_SIGNALS = 100_000
LARGEST_PERSONS = 5_000
OTHER_PERSONS = 5
SEED = 342


def ensure_database():
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    if url.scheme not in {"postgres", "postgresql"}:
        sys.exit("Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_sigbench")
    import psycopg

    name = url.path.lstrip("/")
    admin_dsn = f"host={url.hostname} port={url.port or 5432} user={url.username or 'postgres'} dbname=postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from pib.models import Municipality  # noqa: E402
from signals.models import Signal  # noqa: E402
from tests.bench.data import bench_user, load_signals  # noqa: E402


def load(rng: random.Random):
    load_signals(
        rng,
        total=TOTAL,
        largest_code=LARGEST_CODE,
        largest_signals=LARGEST_SIGNALS,
        largest_persons=LARGEST_PERSONS,
        other_persons=OTHER_PERSONS,
    )


def percentile(values, pct):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def time_requests(client, urls, n):
    times = []
    for i in range(n):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), percentile(times, 95), max(times)


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def consume(response) -> int:
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    return size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reload", action="store_true", help="reload the signals even when present")
    args = parser.parse_args()
    rng = random.Random(SEED)

    call_command("migrate", verbosity=0)
    if args.reload or Signal.objects.count() != TOTAL:
        load(rng)
    largest = Municipality.objects.get(code=LARGEST_CODE)
    user = bench_user(largest)
    client = Client()
    client.force_login(user)
    client.get("/signalen/")  # stores the chosen municipality

    found = Signal.objects.filter(municipality=largest).count()
    pages = (found + 19) // 20
    rows = []
    n = args.requests
    for label, urls in [
        ("results, sorted by date ↑, page 1", ["/signalen/resultaten/alle/?sortering=placed_on"]),
        (
            "results, sorted by date ↓, random page",
            [f"/signalen/resultaten/alle/?sortering=-placed_on&pagina={rng.randint(1, pages)}" for _ in range(50)],
        ),
        ("results, default order (newest first)", ["/signalen/resultaten/alle/"]),
        ("results, 'Toon deze signalen' (not done)", ["/signalen/resultaten/openstaand/"]),
        ("search screen (open count)", ["/signalen/"]),
    ]:
        for url in urls[:3]:
            client.get(url)  # warm up
        p50, p95, worst = time_requests(client, urls, n)
        rows.append((label, n, p50, p95, worst))

    print()
    print(
        f"Signals: {Signal.objects.count():,} over {Municipality.objects.count()} municipalities; "
        f"largest ({largest.name}) {found:,}"
    )
    print(f"{'screen':48} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, count, p50, p95, worst in rows:
        print(f"{label:48} {count:>5} {p50:>8.1f} {p95:>8.1f} {worst:>8.1f}")

    # CSV: every signal of the largest municipality (100,000 rows).
    client.get("/signalen/download/")  # warm-up of code paths (streaming not consumed)
    started = time.perf_counter()
    response = client.get("/signalen/download/")
    size = consume(response)
    csv_seconds = time.perf_counter() - started

    rss_before = rss_kb()
    tracemalloc.start()
    response = client.get("/signalen/download/")
    rss_peak = rss_before
    size2 = 0
    for chunk in response.streaming_content:
        size2 += len(chunk)
        rss_peak = max(rss_peak, rss_kb())
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = max(rss_peak, rss_kb())
    print()
    print(
        f"CSV 'Download alle signalen': {found:,} rows, {size / 1e6:.1f} MB in {csv_seconds:.2f} s "
        f"({found / csv_seconds:,.0f} rows/s)"
    )
    print(
        f"  peak memory growth: tracemalloc {traced_peak / 2**20:.1f} MB, "
        f"RSS +{(rss_peak - rss_before) / 1024:.1f} MB (target ≤ 50 MB)"
    )
    assert size == size2

    # Retention: the first daily run after the load on the first day of a quarter, rolled back.
    from signals.services import signal_retention_apply

    first_of_quarter = dt.date(dt.date.today().year, 3 * ((dt.date.today().month - 1) // 3) + 1, 1)
    with transaction.atomic():
        started = time.perf_counter()
        result = signal_retention_apply(today=first_of_quarter)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    print(
        f"Retention on {first_of_quarter:%d-%m-%Y}: {result.done_deleted:,} Afgehandeld + "
        f"{result.new_deleted:,} Nieuw deleted in {seconds:.1f} s (rolled back)"
    )


if __name__ == "__main__":
    main()
