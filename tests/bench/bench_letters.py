"""Benchmark of ELIP letter rendering (issue 4, item 9). Standalone, not collected by pytest.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_letters REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python tests/bench/bench_letters.py [--letters 200] [--mode celery|process]

Measures, on the same letters in the same run:
  (a) the plain way: per letter its own queries (build_snapshots of one person), its own template
      render with a <link> to the stylesheet, and ``HTML(string).write_pdf()`` with WeasyPrint's
      default fetcher: stylesheet and fonts parsed again for every letter; one process;
  (b) our way on one worker: ``render_letter_batch`` batches on a real Celery worker (Redis broker,
      prefork, concurrency 1): the stylesheet and fonts parsed once per worker process, the PDF
      stored with its sha256, then the municipality's bundle merged;
  (c) the same on two worker processes (concurrency 2).
``--mode process`` runs (b)/(c) as one/two plain OS processes instead of Celery workers.
Then: peak memory of merging a ``--bundle-letters`` bundle (default 500) in a fresh process, and
the RSS of a rendering process after ``--rss-letters`` letters (default 2,000), sampled on the way.

Uses persons of the database without a letter (e.g. from ``manage.py seed_demo``) and creates
letter-ready persons with the test factories when there are not enough. Its own run (dated
2099) and letters are deleted at the end. PDFs go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")
MEDIA = os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="elip-bench-letters-"))
BENCH_RUN_DATE = dt.date(2099, 1, 5)


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids) -> float:
    """user + system CPU time of processes (robust against other load on a shared machine)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def setup_django():
    import django

    django.setup()


# --- data ------------------------------------------------------------------------------------


def prepare(n: int):
    from django.core.management import call_command

    from elip.models import PolicyVersion, SelectionRun
    from letters.content import build_snapshots
    from letters.models import Letter, LetterBundle
    from pib.models import Person

    call_command("migrate", verbosity=0)
    cleanup()
    persons = list(Person.objects.filter(elip_letter__isnull=True).order_by("pk").values_list("pk", flat=True)[:n])
    if len(persons) < n:
        from django.db.models import Max

        from tests.letters.helpers import model_person
        from tests.pib.factories import PersonFactory

        # Factory sequences restart per process: start far beyond existing rows (BSN is unique).
        PersonFactory.reset_sequence(50_000_000 + (Person.objects.aggregate(m=Max("pk"))["m"] or 0))
        print(f"creating {n - len(persons)} persons with the test factories...", flush=True)
        for _ in range(n - len(persons)):
            persons.append(model_person(term_end=dt.date(2099, 6, 1)).pk)
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    iso = BENCH_RUN_DATE.isocalendar()
    run = SelectionRun.objects.create(run_date=BENCH_RUN_DATE, iso_year=iso[0], iso_week=iso[1], policy=policy)
    municipality_ids = set(Person.objects.filter(pk__in=persons).values_list("municipality_id", flat=True))
    contacts = {
        m: {"name": "", "phone": "010 123 45 67", "email": "elip@gemeente.example", "website": "www.gemeente.example"}
        for m in municipality_ids
    }
    snapshots = {}
    for start in range(0, len(persons), 500):
        snapshots.update(
            build_snapshots(persons[start : start + 500], on_date=BENCH_RUN_DATE, municipality_contacts=contacts)
        )
    municipality_of = dict(Person.objects.filter(pk__in=persons).values_list("pk", "municipality_id"))
    letters = Letter.objects.bulk_create(
        Letter(
            person_id=pk,
            municipality_id=municipality_of[pk],
            dispatch=run.dispatch,
            letter_date=BENCH_RUN_DATE,
            reference=f"BENCH/{pk}",
            matched_rule="termijn_en_lening",
            snapshot=snapshots[pk],
        )
        for pk in persons
    )
    LetterBundle.objects.filter(dispatch=run.dispatch).delete()
    return run, [letter.pk for letter in letters], contacts


def reset(run):
    from letters.models import Letter, LetterBundle, RenderStatus

    Letter.objects.filter(dispatch=run.dispatch).update(
        render_status=RenderStatus.PENDING, pdf="", pdf_sha256="", render_attempts=0
    )
    LetterBundle.objects.filter(dispatch=run.dispatch).delete()


def cleanup():
    from elip.models import SelectionRun
    from letters.models import Letter, LetterBundle

    for run in SelectionRun.objects.filter(run_date=BENCH_RUN_DATE):
        LetterBundle.objects.filter(dispatch=run.dispatch).delete()
        Letter.objects.filter(dispatch=run.dispatch).delete()
        run.delete()


def all_done(run, n: int) -> bool:
    from letters.models import Letter, LetterBundle, RenderStatus

    rendered = Letter.objects.filter(dispatch=run.dispatch, render_status=RenderStatus.RENDERED).count()
    municipalities = Letter.objects.filter(dispatch=run.dispatch).values("municipality_id").distinct().count()
    bundled = LetterBundle.objects.filter(dispatch=run.dispatch).exclude(pdf="").count()
    return rendered == n and bundled == municipalities


# --- (a) the plain way ------------------------------------------------------------------------


def plain(run, letter_ids, contacts) -> float:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from letters.content import build_snapshots
    from letters.models import Letter
    from letters.pdf import BASE_URL

    out = Path(MEDIA) / "plain"
    out.mkdir(parents=True, exist_ok=True)
    person_of = dict(Letter.objects.filter(pk__in=letter_ids).values_list("pk", "person_id"))
    t0, c0 = time.perf_counter(), time.process_time()
    for letter_id in letter_ids:
        letter = Letter.objects.get(pk=letter_id)
        snapshot = build_snapshots([person_of[letter_id]], on_date=run.run_date, municipality_contacts=contacts)
        html = render_to_string(
            "letters/letter.html", {"s": snapshot[person_of[letter_id]], "reference": letter.reference}
        ).replace("</head>", '<link rel="stylesheet" href="letter.css"></head>')
        pdf = HTML(string=html, base_url=BASE_URL).write_pdf()
        (out / f"{letter_id}.pdf").write_bytes(pdf)
    return time.perf_counter() - t0, time.process_time() - c0


# --- (b)/(c) our way --------------------------------------------------------------------------


def batches(ids, size):
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def ours_celery(run, letter_ids, concurrency: int, batch: int) -> tuple[float, float, list[float]]:
    from letters.tasks import render_letter_batch
    from pib.celery import app

    app.control.purge()
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0", "MEDIA_ROOT": MEDIA}
    name = f"bench-letters-{concurrency}-{os.getpid()}@%h"
    log_path = Path(MEDIA) / f"worker-{concurrency}.log"
    log = log_path.open("wb")
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pib",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,  # a file, not a pipe: a full pipe would block the worker
    )
    try:
        deadline = time.time() + 60
        while not app.control.ping(timeout=0.5):
            if time.time() > deadline or worker.poll() is not None:
                raise RuntimeError(
                    "Celery worker did not start: " + (worker.stderr.read(2000).decode() if worker.poll() else "")
                )
        procs = [worker.pid, *children(worker.pid)]
        t0, c0 = time.perf_counter(), cpu_seconds(procs)
        for ids in batches(letter_ids, batch):
            render_letter_batch.delay(ids)
        while not all_done(run, len(letter_ids)):
            time.sleep(0.05)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds(procs) - c0
        rss = [rss_mib(pid) for pid in children(worker.pid)]
        return elapsed, cpu, rss
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def _process_worker(ids_batches):
    setup_django()
    from elip.models import SelectionRun
    from letters.services import bundles_build, letters_render

    run = SelectionRun.objects.get(run_date=BENCH_RUN_DATE)
    for ids in ids_batches:
        letters_render(letter_ids=ids)
        bundles_build(dispatch=run.dispatch)


def ours_process(run, letter_ids, processes: int, batch: int) -> tuple[float, float, list[float]]:
    ctx = multiprocessing.get_context("spawn")  # fresh processes: each parses stylesheet and fonts itself
    parts = batches(letter_ids, batch)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    procs = [ctx.Process(target=_process_worker, args=(parts[i::processes],)) for i in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    while not all_done(run, len(letter_ids)):
        time.sleep(0.05)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - t0, cpu.ru_utime + cpu.ru_stime - cpu_before, []


# --- memory -----------------------------------------------------------------------------------


def _bundle_child(count: int, queue):
    setup_django()
    from django.core.files.storage import default_storage

    from elip.models import SelectionRun
    from letters.models import Letter
    from letters.services import merge_pdfs

    run = SelectionRun.objects.get(run_date=BENCH_RUN_DATE)
    names = list(Letter.objects.filter(dispatch=run.dispatch).exclude(pdf="").values_list("pdf", flat=True))
    names = [names[i % len(names)] for i in range(count)]
    before = rss_mib()
    handles = [default_storage.open(name, "rb") for name in names]
    data, pages = merge_pdfs(handles)
    for h in handles:
        h.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((before, peak, pages, len(data) / 1024 / 1024))


def _rss_child(count: int, queue):
    setup_django()
    from elip.models import SelectionRun
    from letters.models import Letter
    from letters.services import letter_pdf_bytes

    run = SelectionRun.objects.get(run_date=BENCH_RUN_DATE)
    letters = list(Letter.objects.filter(dispatch=run.dispatch).order_by("pk")[:200])
    samples = []
    marks = {1, 100, count // 4, count // 2, 3 * count // 4, count}
    t0 = time.perf_counter()
    for i in range(1, count + 1):
        letter_pdf_bytes(letters[i % len(letters)])
        if i in marks:
            samples.append((i, rss_mib()))
    queue.put((samples, time.perf_counter() - t0))


def in_child(target, *args):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, queue))
    p.start()
    result = queue.get()
    p.join()
    return result


# --- main -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=200, help="letters for (a), (b), (c) (default 200)")
    parser.add_argument("--batch", type=int, default=25, help="letters per task/batch (default 25)")
    parser.add_argument("--mode", choices=["celery", "process"], default=None, help="default: celery if REDIS_URL")
    parser.add_argument("--bundle-letters", type=int, default=500)
    parser.add_argument("--rss-letters", type=int, default=2000, help="0 skips the RSS measurement")
    parser.add_argument("--keep", action="store_true", help="keep the bench run, letters and PDFs")
    args = parser.parse_args()
    mode = args.mode or ("celery" if os.environ.get("REDIS_URL") else "process")

    setup_django()
    from django.db import connections

    run, letter_ids, contacts = prepare(args.letters)
    n = len(letter_ids)
    rows = []
    try:
        print(f"{n} letters, batches of {args.batch}, mode {mode}, MEDIA_ROOT {MEDIA}", flush=True)
        t_a, cpu_a = plain(run, letter_ids, contacts)
        rows.append(("(a) plain: own queries + template + HTML().write_pdf(), 1 process", t_a, cpu_a, []))
        print(f"(a) done: {n / t_a:.2f} letters/s", flush=True)
        connections.close_all()
        for k in (1, 2):
            reset(run)
            if mode == "celery":
                t, cpu, rss = ours_celery(run, letter_ids, k, args.batch)
                label = f"({'b' if k == 1 else 'c'}) ours: Celery worker on Redis, {k} process{'es' if k > 1 else ''}"
            else:
                t, cpu, rss = ours_process(run, letter_ids, k, args.batch)
                label = f"({'b' if k == 1 else 'c'}) ours: {k} OS process{'es' if k > 1 else ''}"
            rows.append((label, t, cpu, rss))
            print(f"{label}: {n / t:.2f} letters/s", flush=True)

        bundle = in_child(_bundle_child, args.bundle_letters)
        rss = in_child(_rss_child, args.rss_letters) if args.rss_letters else None
    finally:
        if not args.keep:
            cleanup()
            shutil.rmtree(MEDIA, ignore_errors=True)

    t_a, t_b, t_c = rows[0][1], rows[1][1], rows[2][1]
    print()
    print(f"{'measurement':<72} {'seconds':>8} {'letters/s':>10} {'ms/letter':>10} {'CPU ms/letter':>14}")
    print("-" * 118)
    for label, t, cpu, worker_rss in rows:
        extra = f"   worker RSS {', '.join(f'{r:.0f}' for r in worker_rss)} MiB" if worker_rss else ""
        print(f"{label:<72} {t:>8.2f} {n / t:>10.2f} {1000 * t / n:>10.1f} {1000 * cpu / n:>14.1f}{extra}")
    print("-" * 118)
    load = os.getloadavg()
    print(f"load average during/after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    print(f"(c)/(a) = {t_a / t_c:.2f}x (target >= 2.0)    (c)/(b) = {t_b / t_c:.2f}x (target >= 1.7)")
    before, peak, pages, size = bundle
    print(
        f"bundle of {args.bundle_letters} letters ({pages} pages, {size:.1f} MiB): peak RSS {peak:.0f} MiB "
        f"(process before merge {before:.0f} MiB; target < 1024 MiB)"
    )
    if rss:
        samples, seconds = rss
        print(
            f"rendering process RSS after N letters ({args.rss_letters} in {seconds:.0f} s, "
            f"{1000 * seconds / args.rss_letters:.0f} ms/letter): " + ", ".join(f"{i}: {r:.0f} MiB" for i, r in samples)
        )


if __name__ == "__main__":
    main()
