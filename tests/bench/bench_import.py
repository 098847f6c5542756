"""Benchmark: ``import_registry`` of 250,000 persons with their records into an empty registry
(target: ≤ 5 minutes on PostgreSQL on the 2-core machine), then the same files again (the
idempotent run: nothing changes, no signal).

    python tests/bench/run.py --only import        # seeds, exports and imports on its own databases
    # by hand, on an empty, migrated database:
    DATABASE_URL=…/elip_benchimport python tests/bench/bench_import.py DIR [--once]

``DIR`` holds the extract files (``manage.py export_registry DIR`` on a seeded database). Prints per
file the rows, rows per second and seconds per phase (read+COPY, checks, changes, insert), the
total, and the load average before and after: the machine is shared, so say what it was.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from elip.services.registry_import import registry_import  # noqa: E402
from pib.models import Person  # noqa: E402
from signals.models import Signal  # noqa: E402

TARGET_SECONDS = 300


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds used so far by this process and by its PostgreSQL backend (same machine): on a
    shared machine the wall clock says how busy the others were; this says what the import costs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:  # PostgreSQL on another host
        backend = float("nan")
    return usage.ru_utime + usage.ru_stime, backend


def run(directory: Path, title: str) -> float:
    print(f"\n{title} — {load()}", flush=True)
    print(f"  {'file':<20} {'rows':>10} {'new':>10} {'changed':>8} {'signals':>8} {'s':>7} {'rows/s':>9}  phases (s)")
    started = time.monotonic()
    python_before, backend_before = cpu_seconds()

    def progress(r):
        rate = r.rows / r.seconds if r.seconds else 0
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r.phases.items())
        print(
            f"  {r.filename:<20} {r.rows:>10,} {r.created:>10,} {r.updated:>8,} {r.signals:>8,} "
            f"{r.seconds:>7.1f} {rate:>9,.0f}  {phases}",
            flush=True,
        )

    results = registry_import(paths=[directory], progress=progress)
    seconds = time.monotonic() - started
    rows = sum(r.rows for r in results)
    print(f"  {'total':<20} {rows:>10,} {sum(r.created for r in results):>10,} "
          f"{sum(r.updated for r in results):>8,} {sum(r.signals for r in results):>8,} {seconds:>7.1f} "
          f"{rows / seconds:>9,.0f}")  # fmt: skip
    python_cpu, backend_cpu = cpu_seconds()
    python_cpu, backend_cpu = python_cpu - python_before, backend_cpu - backend_before
    print(
        f"  CPU: python {python_cpu:.1f} s + postgres backend {backend_cpu:.1f} s = "
        f"{python_cpu + backend_cpu:.1f} s (wall clock {seconds:.1f} s)"
    )
    print(f"  after: {load()}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--once", action="store_true", help="skip the second (idempotent) run")
    args = parser.parse_args()
    if Person.objects.exists():
        sys.exit("The target database holds persons already: the benchmark measures a first import.")
    first = run(args.directory, "First import into an empty registry")
    persons = Person.objects.count()
    verdict = "within" if first <= TARGET_SECONDS else "OVER"
    print(f"\n{persons:,} persons imported in {first:.1f} s: {verdict} the {TARGET_SECONDS} s target")
    if not args.once:
        signals = Signal.objects.count()
        again = run(args.directory, "Same files again (idempotent: 0 new, 0 changed, 0 signals)")
        assert Signal.objects.count() == signals, "the second run emitted signals"
        print(f"\nsecond run {again:.1f} s")


if __name__ == "__main__":
    main()
