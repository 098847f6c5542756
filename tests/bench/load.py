"""Load test (issue 12 point 6): case workers in locust against gunicorn with the production settings.

    make load                                   # national scale, about 20 minutes on this machine
    python tests/bench/load.py --help           # sizes, duration, worker counts, rate steps

1. Database: ``DATABASE_URL`` (``make load``: ``elip_load``), created and migrated when missing.
2. Data, made once and kept for the next run: ``seed_demo``'s population (``--persons``, 250,000),
   the demo enrolments (Amsterdam among them), this week's ELIP run (letters, SS400; the PDFs are not
   rendered: no screen under load reads one), then ``--signals`` signals with
   ``tests/bench/data.py`` (1,000,000; 10% of them for Amsterdam, GM0363).
3. Load accounts ``load-01`` … with the three ELIP roles for Amsterdam (the largest municipality:
   the worst case), one password and an authenticator (TOTP) device whose secret the locust users
   know — made here only, in this bench database or the CI test's database.
4. gunicorn as docker-compose.yml's web service runs it (its environment, its ``--workers``,
   ``collectstatic``), on loopback; requests as the TLS proxy forwards them
   (``tests/production.py``).
5. ``--users`` (16) case workers (``tests/bench/locustfile.py``: sign in with both steps, then signal
   search, result paging, person list, person detail and CSV, 1–3 s between clicks) for
   ``--duration`` seconds: p50/p95/p99 and errors per request type and overall.
6. The saturation point for each of ``--saturation-workers`` (1, 2, 4 gunicorn workers): 32 users
   pace themselves, after a 10-s warm-up at the first rate that is not timed (a fresh gunicorn's first
   requests), to a total rate that steps up (``--rates``, ``--step-seconds`` each) until the
   p95 of a step passes 150 ms; the table gives each step's achieved rate, p50, p95 and errors.

The machine's load average is printed beside every figure: on a shared machine they are upper bounds.
Results also go to ``var/load/results.json``; gunicorn's and locust's logs to ``var/load/``.
"""

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PASSWORD = "Belasting-Proef-2026!"  # the load accounts of bench and test databases only
MUNICIPALITY = "GM0363"
TARGET_P95_MS = 150
LOGIN_NAMES = ("login: forms", "login: password", "login: second factor")
CSV = "CSV of the selection"
PAGES = "all pages (no sign-in, no CSV)"
CLICKS = "all clicks (no sign-in)"
EVERYTHING = "all requests"


# --- data -------------------------------------------------------------------------------------


def seed(*, persons: int, signals: int, seed_value: int = 1, out=print) -> dict:
    """The population, enrolments, this week's ELIP run and the signals, each step only when its
    data is missing (so a second ``make load`` measures at once). Returns the sizes."""
    from django.db import connection
    from django.utils import timezone

    from elip.demo.accounts import create_demo_enrolments
    from elip.demo.population import build_population
    from elip.services.weekly_run import weekly_run
    from letters.models import Letter
    from pib.models import Person
    from signals.models import Signal
    from tests.bench.data import load_signals

    today = timezone.localdate()
    seeded = Person.objects.exclude(first_names="Bench").count()
    if seeded == 0:
        started = time.monotonic()
        build_population(persons=persons, seed=seed_value, today=today)
        out(f"population of {persons:,} persons (seed_demo) in {time.monotonic() - started:.0f} s")
    if not Letter.objects.exists():
        started = time.monotonic()
        create_demo_enrolments()
        # Letters and SS400 signals as the weekly run makes them; their PDFs stay unrendered.
        with mock.patch("elip.services.weekly_run._queue_rendering", return_value=0):
            weekly_run(run_date=today)
        out(f"weekly ELIP run: {Letter.objects.count():,} letters in {time.monotonic() - started:.0f} s")
    if Signal.objects.count() != signals:
        largest = signals // 10
        load_signals(
            random.Random(342),
            total=signals,
            largest_code=MUNICIPALITY,
            largest_signals=largest,
            largest_persons=max(20, largest // 20),
            other_persons=5 if signals >= 100_000 else 1,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "persons": Person.objects.count(),
        "signals": Signal.objects.count(),
        "letters": Letter.objects.count(),
        "municipality": MUNICIPALITY,
        "municipality_persons_listed": Person.objects.filter(
            municipality__code=MUNICIPALITY, elip_letter__isnull=False
        ).count(),
        "municipality_signals": Signal.objects.filter(municipality__code=MUNICIPALITY).count(),
    }


def create_load_accounts(count: int) -> list[tuple[str, str]]:
    """``load-01`` … with the ELIP roles for Amsterdam, the password (one PBKDF2 hash, as production
    stores it, whatever the settings' hashers) and a fresh TOTP device; returns (username, hex key).
    Called before every locust run: a fresh device has no used time step, so no code is a replay."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from elip.demo.accounts import ELIP
    from pib.models import Authorisation, Municipality

    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    municipality = Municipality.objects.get(code=MUNICIPALITY)
    accounts = []
    for number in range(1, count + 1):
        user, _ = get_user_model().objects.update_or_create(
            username=f"load-{number:02d}",
            defaults={
                "password": encoded,
                "first_name": "Belasting",
                "last_name": f"Proef {number}",
                "is_active": True,
            },
        )
        for role in ELIP:
            Authorisation.objects.get_or_create(user=user, municipality=municipality, role=role)
        TOTPDevice.objects.filter(user=user).delete()
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name="Authenticator-app", key=key, confirmed=True)
        accounts.append((user.username, key))
    return accounts


# --- running locust ---------------------------------------------------------------------------


def run_locust(
    port: int,
    accounts,
    *,
    workdir: Path,
    label: str,
    users: int,
    mode: str = "caseworker",
    duration: float = 60,
    rates=(),
    step_seconds: float = 15,
) -> dict:
    """locust headless in its own process (gevent patches everything it imports) against the
    gunicorn on ``port``; returns what the locustfile wrote: t0, users signed in, every request."""
    workdir.mkdir(parents=True, exist_ok=True)
    accounts_file = workdir / f"{label}-accounts.txt"
    accounts_file.write_text("".join(f"{username} {key}\n" for username, key in accounts[:users]))
    samples_file = workdir / f"{label}-samples.json"
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts_file),
        "LOAD_SAMPLES": str(samples_file),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_USERS": str(users),
        "LOAD_MODE": mode,
        "LOAD_DURATION": str(duration),
        "LOAD_RATES": ",".join(str(r) for r in rates),
        "LOAD_STEP_SECONDS": str(step_seconds),
        "LOAD_P95_LIMIT_MS": str(TARGET_P95_MS),
    }
    bound = (duration if mode == "caseworker" else len(rates) * step_seconds) + 240
    with open(workdir / f"{label}-locust.log", "wb") as log:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--host",
                f"http://127.0.0.1:{port}",
                "--run-time",
                f"{int(bound)}s",
                "--stop-timeout",
                "30",
                "--exit-code-on-error",
                "0",
                "--only-summary",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=bound + 120,
        )
    if done.returncode != 0 or not samples_file.exists():
        tail = (workdir / f"{label}-locust.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"locust failed ({done.returncode}):\n{tail}")
    return json.loads(samples_file.read_text())


# --- figures ----------------------------------------------------------------------------------


def percentile(values, pct):
    """Nearest-rank percentile (as tests/bench/bench_signals.py computes it)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def summarize(samples) -> list[dict]:
    """One row per request type, then the pages (no sign-in, no CSV), all clicks (no sign-in) and all
    requests."""
    groups: dict[str, list] = {}
    for name, _start, ms, ok, _length, _error in samples:
        groups.setdefault(name, []).append((ms, ok))
    order = sorted(groups, key=lambda n: (n in LOGIN_NAMES, n))
    clicks = [s for n in order if n not in LOGIN_NAMES for s in groups[n]]
    pages = [s for n in order if n not in LOGIN_NAMES and n != CSV for s in groups[n]]
    everything = [s for n in order for s in groups[n]]
    rows = []
    overall = [(PAGES, pages), (CLICKS, clicks), (EVERYTHING, everything)]
    for name, values in [*((n, groups[n]) for n in order), *overall]:
        times = [ms for ms, _ok in values]
        rows.append(
            {
                "request": name,
                "n": len(values),
                "errors": sum(1 for _ms, ok in values if not ok),
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "p99": percentile(times, 99),
                "max": max(times, default=0.0),
            }
        )
    return rows


def format_table(rows, columns) -> str:
    """``columns``: (key, header, format spec); the header takes the spec's alignment and width."""
    widths = [(key, spec, re.match(r"[<>]?\d+", spec).group(0)) for key, _header, spec in columns]
    lines = [" ".join(f"{header:{width}}" for (_k, header, _s), (_k2, _s2, width) in zip(columns, widths, strict=True))]
    lines += [" ".join(f"{row[key]:{spec}}" for key, spec, _w in widths) for row in rows]
    return "\n".join(lines)


def table(rows) -> str:
    ms = [(key, f"{key} ms", ">8.1f") for key in ("p50", "p95", "p99", "max")]
    return format_table(rows, [("request", "request", "<32"), ("n", "n", ">6"), ("errors", "errors", ">6"), *ms])


def errors_of(samples, limit=5) -> list[str]:
    return [f"{name}: {error}" for name, _s, _ms, ok, _l, error in samples if not ok][:limit]


def steps(result, rates, step_seconds) -> list[dict]:
    """Per rate step: the clicks started in it, their achieved rate, p50, p95 and errors."""
    t0, rows = result["t0"], []
    last = result.get("stopped_after_step")
    for index, target in enumerate(rates):
        if last is not None and index > last:
            break
        begin = t0 + index * step_seconds
        window = [s for s in result["samples"] if s[0] not in LOGIN_NAMES and begin <= s[1] < begin + step_seconds]
        times = [s[2] for s in window]
        rows.append(
            {
                "target": target,
                "rate": len(window) / step_seconds,
                "n": len(window),
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "errors": sum(1 for s in window if not s[3]),
            }
        )
    return rows


def steps_table(rows) -> str:
    return format_table(
        rows,
        [
            ("target", "target/s", ">9.0f"),
            ("rate", "achieved/s", ">10.1f"),
            ("n", "n", ">6"),
            ("p50", "p50 ms", ">8.1f"),
            ("p95", "p95 ms", ">8.1f"),
            ("errors", "errors", ">6"),
        ],
    )


def saturation_point(rows) -> str:
    over = next((i for i, r in enumerate(rows) if r["p95"] > TARGET_P95_MS), None)
    if over is None:
        return f"p95 stayed ≤ {TARGET_P95_MS} ms up to {rows[-1]['rate']:.1f} req/s" if rows else "no steps"
    if over == 0:
        return f"p95 passes {TARGET_P95_MS} ms below {rows[0]['rate']:.1f} req/s"
    return (
        f"p95 passes {TARGET_P95_MS} ms between {rows[over - 1]['rate']:.1f} req/s "
        f"(p95 {rows[over - 1]['p95']:.0f} ms) and {rows[over]['rate']:.1f} req/s (p95 {rows[over]['p95']:.0f} ms)"
    )


def load_average() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# --- the national run ---------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = f"host={parts.hostname} port={parts.port or 5432} user={parts.username or 'postgres'} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=250_000)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--duration", type=float, default=120, help="seconds of clicking after sign-in")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: docker-compose.yml's)")
    parser.add_argument("--saturation-workers", default="1,2,4", help="comma-separated; empty: no saturation runs")
    parser.add_argument("--saturation-users", type=int, default=32)
    parser.add_argument("--rates", default="4,8,12,16,20,24,32,40", help="requests per second, stepped")
    parser.add_argument("--step-seconds", type=float, default=15)
    parser.add_argument("--prepare-only", action="store_true", help="make the database and data, then stop")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from tests.production import READLOG_KEY, SECRET_KEY, compose_workers, gunicorn, prepare, production_environment

    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/elip_load")
    name = urlparse(database_url).path.lstrip("/")
    if urlparse(database_url).scheme not in {"postgres", "postgresql"} or not re.search(r"load|bench|test", name):
        # The signal loader truncates the signals and the read log: never a database that matters.
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own named *load*/*bench* (make load: elip_load).")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    workdir = ROOT / "var" / "load"
    workdir.mkdir(parents=True, exist_ok=True)
    env = production_environment(
        database_url=database_url, redis_url=redis_url, media_root=workdir / "media", static_root=workdir / "static"
    )
    began = time.monotonic()
    print(f"Load test on {name}; {load_average()}", flush=True)
    ensure_database(database_url)
    prepare(env)  # collectstatic + migrate, as the image and the web service do

    # This process writes the data: the same settings module, without a broker (nothing is queued).
    settings = {"DJANGO_SETTINGS_MODULE": "pib.settings", "DEBUG": "false", "DATABASE_URL": database_url}
    os.environ.update({**settings, "SECRET_KEY": SECRET_KEY, "READLOG_KEY": READLOG_KEY})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    sizes = seed(persons=args.persons, signals=args.signals, out=lambda line: print(line, flush=True))
    print(
        f"Data: {sizes['persons']:,} persons, {sizes['signals']:,} signals, {sizes['letters']:,} ELIP letters; "
        f"the load accounts' municipality {MUNICIPALITY}: {sizes['municipality_persons_listed']:,} ELIP persons, "
        f"{sizes['municipality_signals']:,} signals  (set up in {time.monotonic() - began:.0f} s)",
        flush=True,
    )
    results = {"data": sizes, "runs": []}
    if args.prepare_only:
        return

    workers = args.workers or compose_workers()
    accounts = create_load_accounts(max(args.users, args.saturation_users))
    before = load_average()
    with gunicorn(env, workers=workers, log_path=workdir / "gunicorn.log") as port:
        result = run_locust(
            port, accounts, workdir=workdir, label="caseworkers", users=args.users, duration=args.duration
        )
    rows = summarize(result["samples"])
    after = load_average()
    print(
        f"\n{args.users} case workers (1–3 s between clicks) for {args.duration:.0f} s, gunicorn {workers} workers; "
        f"{result['signed_in']}/{args.users} signed in; before: {before}, after: {after}"
    )
    print(table(rows))
    for line in errors_of(result["samples"]):
        print("  error:", line)
    for row in (r for r in rows if r["request"] in (PAGES, CLICKS)):
        verdict = "met" if row["p95"] <= TARGET_P95_MS and row["errors"] == 0 else "NOT met"
        print(f"target p95 ≤ {TARGET_P95_MS} ms and 0 errors, {row['request']}: {verdict}", flush=True)
    results["runs"].append(
        {"kind": "caseworkers", "workers": workers, "users": args.users, "rows": rows, "load": [before, after]}
    )

    rates = [float(r) for r in args.rates.split(",") if r]
    for count in [int(w) for w in args.saturation_workers.split(",") if w]:
        accounts = create_load_accounts(args.saturation_users)
        before = load_average()
        with gunicorn(env, workers=count, log_path=workdir / "gunicorn.log") as port:
            result = run_locust(
                port,
                accounts,
                workdir=workdir,
                label=f"saturation-{count}",
                users=args.saturation_users,
                mode="rate",
                rates=rates,
                step_seconds=args.step_seconds,
            )
        after = load_average()
        stepped = steps(result, rates, args.step_seconds)
        print(
            f"\nSaturation, gunicorn {count} worker(s), {args.saturation_users} users; before: {before}, after: {after}"
        )
        print(f"{'target/s':>9} {'achieved/s':>10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
        for r in stepped:
            print(
                f"{r['target']:>9.0f} {r['rate']:>10.1f} {r['n']:>6} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['errors']:>6}"
            )
        point = saturation_point(stepped)
        print(f"→ {point}", flush=True)
        results["runs"].append(
            {"kind": "saturation", "workers": count, "steps": stepped, "point": point, "load": [before, after]}
        )
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\nDone in {time.monotonic() - began:.0f} s; results in {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
