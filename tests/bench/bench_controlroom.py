"""Benchmark: the control room at national scale (target: the control room page ≤ 2 s).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_controlbench
    python tests/bench/bench_controlroom.py [--requests 10] [--reload]

Needs a population (``seed_demo --persons 250000``; tests/bench/run.py ``--only controlroom`` makes
it). Loads once (``--reload`` to redo), with ``bulk_create``: 2 years of weekly runs (104 runs,
Wednesdays) with a RunMunicipality row for each of the 342 municipalities (35,568 rows), letters for
``--letters`` persons (default 60,000, about the candidates the selection finds in 250,000) spread over
the runs, each in its person's municipality, a bundle per run and municipality with letters, the newest
run with failed and pending letters and a missing bundle, and the alerts the evaluation finds.

Measures with Django's test Client as a DUO functioneel beheer user (the whole request: middleware,
session, access check, selectors, tables, charts, template): the control room overview (52 runs,
charts and table), the list of all runs (104), a run's detail (342 municipalities) sorted by count,
the alerts list — median and p95 over N requests, and the number of queries of each; then the alert
evaluation itself. Figures depend on the machine's load: the script prints the load average.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")
os.environ.setdefault("DEBUG", "false")

RUNS = 104
SEED = 104


def ensure_database():
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    if url.scheme not in {"postgres", "postgresql"}:
        sys.exit("Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_controlbench")


ensure_database()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The pages link static files; without collectstatic's manifest, name them as the tests do.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402

from controlroom.models import Alert, ControlAction  # noqa: E402
from controlroom.services import alerts_evaluate, deadline_of  # noqa: E402
from elip.constants import RunStatus  # noqa: E402
from elip.models import PolicyVersion, RunMunicipality, SelectionRun  # noqa: E402
from letters.models import Dispatch, Letter, LetterBundle, RenderStatus  # noqa: E402
from pib.duo_groups import FUNCTIONAL, sync_groups  # noqa: E402
from pib.models import Municipality, Person  # noqa: E402


def last_wednesday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=(today.weekday() - 2) % 7)


@transaction.atomic
def clear():
    Alert.objects.all().delete()
    ControlAction.objects.all().delete()
    LetterBundle.objects.all().delete()
    Letter.objects.all().delete()
    RunMunicipality.objects.all().delete()
    SelectionRun.objects.all().delete()
    Dispatch.objects.all().delete()


def load(letters: int) -> dict:
    """The runs, counts, letters and bundles (see the module docstring); returns their sizes."""
    rng = random.Random(SEED)
    started = time.monotonic()
    clear()
    newest = last_wednesday(timezone.localdate())
    dates = [newest - dt.timedelta(weeks=w) for w in range(RUNS - 1, -1, -1)]
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    dispatches = {d.date: d for d in Dispatch.objects.bulk_create([Dispatch(date=d) for d in dates])}
    tz = timezone.get_current_timezone()
    runs = SelectionRun.objects.bulk_create(
        [
            SelectionRun(
                run_date=d,
                iso_year=d.isocalendar()[0],
                iso_week=d.isocalendar()[1],
                policy=policy,
                status=RunStatus.DONE,
                dispatch=dispatches[d],
                finished_at=dt.datetime.combine(d, dt.time(6, 20), tzinfo=tz),
            )  # fmt: skip
            for d in dates
        ]
    )
    for run in runs:  # bulk_create stamps "now": a start on the run's own date
        run.started_at = dt.datetime.combine(run.run_date, dt.time(6, 0), tzinfo=tz)
    SelectionRun.objects.bulk_update(runs, ["started_at"], batch_size=500)
    municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
    person_ids = list(Person.objects.values_list("pk", "municipality_id"))
    chosen = rng.sample(person_ids, min(letters, len(person_ids)))
    counts: dict[tuple[int, int], int] = {}
    rows = []
    newest_run = runs[-1]
    for i, (person_id, municipality_id) in enumerate(chosen):
        run = runs[rng.randrange(RUNS)] if i >= 400 else newest_run
        status = RenderStatus.RENDERED
        if run is newest_run and i < 40:
            status = RenderStatus.FAILED if i < 25 else RenderStatus.PENDING
        counts[(run.pk, municipality_id)] = counts.get((run.pk, municipality_id), 0) + 1
        rows.append(
            Letter(
                person_id=person_id,
                municipality_id=municipality_id,
                dispatch_id=run.dispatch_id,
                letter_date=run.run_date,
                reference=f"ELIP-BENCH-{person_id}",
                matched_rule="lening",
                snapshot={},
                render_status=status,
                pdf=f"letters/bench/{person_id}.pdf",
            )  # fmt: skip
        )
    Letter.objects.bulk_create(rows, batch_size=5000)
    RunMunicipality.objects.bulk_create(
        [
            RunMunicipality(run=run, municipality_id=m, letters_count=counts.get((run.pk, m), 0))
            for run in runs
            for m in municipalities
        ],
        batch_size=5000,
    )
    incomplete = {m for (r, m), _ in counts.items() if r == newest_run.pk}
    skip = set(sorted(incomplete)[:3])  # three bundles of the newest run missing (besides failed/pending ones)
    bundles = [
        LetterBundle(
            dispatch_id=run.dispatch_id, municipality_id=m, letters_count=n, pdf=f"bundles/bench-{run.pk}-{m}.pdf"
        )
        for run in runs
        for (r, m), n in counts.items()
        if r == run.pk and not (run is newest_run and m in skip)
    ]
    LetterBundle.objects.bulk_create(bundles, batch_size=5000)
    # the newest run: a bundle is built only when every letter is rendered
    failing = set(
        Letter.objects.filter(dispatch_id=newest_run.dispatch_id)
        .exclude(render_status=RenderStatus.RENDERED)
        .values_list("municipality_id", flat=True)
    )
    LetterBundle.objects.filter(dispatch_id=newest_run.dispatch_id, municipality_id__in=failing).delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "runs": len(runs),
        "runmunicipality": RunMunicipality.objects.count(),
        "letters": Letter.objects.count(),
        "bundles": LetterBundle.objects.count(),
        "load_seconds": round(time.monotonic() - started, 1),
    }


def bench_client() -> Client:
    sync_groups()
    user, _ = get_user_model().objects.get_or_create(username="bench-fb", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=FUNCTIONAL))
    device, _ = StaticDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client, url, n) -> dict:
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "max": times[-1],
        "queries": len(executed),
        "kb": size // 1024,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--letters", type=int, default=60_000)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    persons = Person.objects.count()
    if persons == 0:
        sys.exit("No persons: run seed_demo --persons 250000 first (tests/bench/run.py --only controlroom does).")
    if args.reload or SelectionRun.objects.count() < RUNS:
        sizes = load(args.letters)
        print(f"loaded: {sizes}")
    newest = SelectionRun.objects.order_by("-run_date").first()
    started = time.perf_counter()
    created = alerts_evaluate(now=deadline_of(newest.run_date) + dt.timedelta(hours=1), notify=False)
    evaluate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = alerts_evaluate(now=deadline_of(newest.run_date) + dt.timedelta(hours=1), notify=False)
    evaluate_again = time.perf_counter() - started
    client = bench_client()
    pages = [
        ("control room overview (52 runs, 3 charts, table)", reverse("controlroom:overview")),
        ("all runs (104)", reverse("controlroom:runs")),
        (
            "run detail (342 municipalities, sorted by count)",
            reverse("controlroom:run_detail", kwargs={"run_date": newest.run_date.isoformat()})
            + "?sorteer=-geselecteerd",
        ),
        ("alerts (all)", reverse("controlroom:alerts") + "?status=alle"),
    ]
    load1, load5, _ = os.getloadavg()
    print(
        f"\ndata: {persons:,} persons, {SelectionRun.objects.count()} runs, "
        f"{RunMunicipality.objects.count():,} run×municipality rows, {Letter.objects.count():,} letters, "
        f"{LetterBundle.objects.count():,} bundles, {Alert.objects.count()} alerts"
    )
    print(f"load average before measuring: {load1:.2f} (1 min), {load5:.2f} (5 min) on {os.cpu_count()} CPUs")
    print(f"alert evaluation: {evaluate_seconds * 1000:.0f} ms ({len(created)} alerts created); "
          f"again: {evaluate_again * 1000:.0f} ms ({len(again)} created)")  # fmt: skip
    print(f"\n| page | median | p95 | max | queries | size | (N={args.requests}) |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for name, url in pages:
        figures = measure(client, url, args.requests)
        worst = max(worst, figures["p95"]) if "overview" in name else worst
        print(
            f"| {name} | {figures['median'] * 1000:.0f} ms | {figures['p95'] * 1000:.0f} ms | "
            f"{figures['max'] * 1000:.0f} ms | {figures['queries']} | {figures['kb']} KB | |"
        )
    print(f"\ncontrol room page p95 {worst * 1000:.0f} ms — target ≤ 2000 ms: {'OK' if worst <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
