"""Runs every benchmark on PostgreSQL, each on its own database, and prints their tables.

    make bench                       # all of them
    make bench BENCH_ARGS="--only selection"

- seed:      ``seed_demo --persons 250000`` into elip_bench250 (only when that database is empty),
             timed — the population the selection benchmark uses;
- selection: tests/bench/bench_selection.py on elip_bench250;
- letters:   tests/bench/bench_letters.py on elip_benchletters (a real Celery worker when REDIS_URL is set);
- signals:   tests/bench/bench_signals.py on elip_sigbench (1,000,000 signals, loaded once);
- controlroom: ``seed_demo --persons 250000`` into elip_controlbench (once), then
             tests/bench/bench_controlroom.py there (104 weekly runs × 342 municipalities, letters, bundles);
- import:    ``seed_demo --persons 250000`` into elip_benchimport_src (once), ``export_registry`` to
             var/bench-import/ (once), then tests/bench/bench_import.py into elip_benchimport, dropped and
             created afresh each time (a first import, then the same files again);
- policy:    ``seed_demo --persons 250000`` into elip_policybench (once), then tests/bench/bench_policy.py
             there (enrols a third of the municipalities and adds 24 months of letter history once; the
             what-if of a draft over 342 municipalities and the letter cohorts, with query counts);
- worklist:  ``seed_demo --persons 250000`` into elip_worklistbench (once), then tests/bench/bench_worklist.py
             there (largest municipality ~10 %, a letter for every candidate; the Werkvoorraad single and
             regional over 4 municipalities, page 1 and 50, filters, with query counts);
- load:      tests/bench/load.py on elip_load (``make load``: locust case workers against gunicorn with
             the production settings, 250,000 persons and 1,000,000 signals; ~20 minutes). Only with
             ``--only load``, not in the default set.

Not part of ``make test``: they take minutes and want a quiet machine.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def run(cmd, db, **extra):
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{db}", **extra}
    print(f"\n$ DATABASE_URL=…/{db} {' '.join(cmd)}", flush=True)
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def ensure_database(db):
    exists = subprocess.run(
        ["psql", f"{SERVER}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],  # noqa: S608 - fixed names,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f'CREATE DATABASE "{db}"'], check=True)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], db)


def population_size(db) -> int:
    out = subprocess.run(
        ["psql", f"{SERVER}/{db}", "-tAc", "SELECT count(*) FROM pib_person"], capture_output=True, text=True
    )
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def bench_seed_and_selection(persons):
    db = "elip_bench250"
    ensure_database(db)
    if population_size(db) == 0:
        started = time.monotonic()
        run([PY, "manage.py", "seed_demo", "--persons", str(persons), "--seed", "1", "--no-accounts"], db)
        print(f"seed_demo --persons {persons}: {time.monotonic() - started:.1f} s wall clock")
    else:
        print(f"{db} already holds {population_size(db):,} persons; not re-seeded")
    run([PY, "tests/bench/bench_selection.py"], db)


def drop_database(db):
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'], check=True)


def bench_import(persons):
    source, target = "elip_benchimport_src", "elip_benchimport"
    files = ROOT / "var" / "bench-import" / str(persons)
    if not (files / "facturen.csv").exists():
        ensure_database(source)
        if population_size(source) == 0:
            run([PY, "manage.py", "seed_demo", "--persons", str(persons), "--seed", "1", "--no-accounts"], source)
        run([PY, "manage.py", "export_registry", str(files)], source)
    drop_database(target)
    ensure_database(target)
    run([PY, "tests/bench/bench_import.py", str(files)], target)


def bench_controlroom(persons):
    db = "elip_controlbench"
    ensure_database(db)
    if population_size(db) == 0:
        run([PY, "manage.py", "seed_demo", "--persons", str(persons), "--seed", "1", "--no-accounts"], db)
    run([PY, "tests/bench/bench_controlroom.py"], db)


def bench_policy(persons):
    """Issue 15: the what-if of a criteria draft and the letter cohorts, on its own copy of the population
    (it enrols a third of the municipalities and adds 24 months of letter history)."""
    db = "elip_policybench"
    ensure_database(db)
    if population_size(db) == 0:
        run([PY, "manage.py", "seed_demo", "--persons", str(persons), "--seed", "1", "--no-accounts"], db)
    run([PY, "tests/bench/bench_policy.py"], db)


def bench_worklist(persons):
    """Issue 14: the Werkvoorraad (single and regional) on its own copy of the population (it moves
    persons to make the largest municipality ~10 % and sends every candidate a letter)."""
    db = "elip_worklistbench"
    ensure_database(db)
    if population_size(db) == 0:
        run([PY, "manage.py", "seed_demo", "--persons", str(persons), "--seed", "1", "--no-accounts"], db)
    run([PY, "tests/bench/bench_worklist.py"], db)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only",
        choices=["selection", "letters", "signals", "import", "controlroom", "policy", "load", "worklist"],
        action="append",
    )
    parser.add_argument("--persons", type=int, default=250_000)
    args = parser.parse_args()
    chosen = args.only or ["selection", "letters", "signals", "import", "controlroom", "policy", "worklist"]
    if "selection" in chosen:
        bench_seed_and_selection(args.persons)
    if "letters" in chosen:
        ensure_database("elip_benchletters")
        run([PY, "tests/bench/bench_letters.py"], "elip_benchletters")
    if "signals" in chosen:
        run([PY, "tests/bench/bench_signals.py"], "elip_sigbench")
    if "import" in chosen:
        bench_import(args.persons)
    if "controlroom" in chosen:
        bench_controlroom(args.persons)
    if "policy" in chosen:
        bench_policy(args.persons)
    if "worklist" in chosen:
        bench_worklist(args.persons)
    if "load" in chosen:
        run([PY, "tests/bench/load.py", "--persons", str(args.persons)], "elip_load")


if __name__ == "__main__":
    main()
