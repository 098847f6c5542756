"""The control room in the demo (``manage.py controlroom_demo``, run by ``make demo`` after the demo's
weekly run): weeks of run history with realistic timings, and at least one alert.

Deterministic for a seed. Steps, each safe to repeat:

1. History: when the database has fewer than ``MIN_HISTORY_RUNS`` runs before the current week (the
   policy demo's letter history, ``elip.demo.history``, brings 18 months of them), it adds the runs of
   the past ``weeks`` Wednesdays that have none, with a count per enrolled municipality (bulk_create;
   no letters, so no person is involved) — the last one with 0 letters for the first enrolled
   municipality after weeks with letters, so the band alert has something to show.
2. Timings: runs written in bulk carry the moment they were written; each past run gets a start at
   06:00–06:03 on its date (Europe/Amsterdam), its selection finished 2–25 minutes later, its
   bundles a few minutes after that.
3. An alert: the run of the latest Wednesday 07:00 that has passed finishes at 07:42 if it is a past
   (history) run — "Run niet op tijd voltooid" — then ``alerts_evaluate`` records what holds (no
   e-mail: the demo's accounts have no real addresses).
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from elip.constants import EnrolmentStatus, RunStatus
from elip.models import ElipEnrolment, RunMunicipality, SelectionRun
from elip.selectors import active_policy
from letters.models import Dispatch, LetterBundle

from .services import alerts_evaluate, last_deadline

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MIN_HISTORY_RUNS = 12


def _wednesdays_before(today: dt.date, weeks: int) -> list[dt.date]:
    this_week = today.isocalendar()[:2]
    day = today - dt.timedelta(days=(today.weekday() - 2) % 7)
    days = []
    while len(days) < weeks:
        if day.isocalendar()[:2] != this_week and day < today:
            days.append(day)
        day -= dt.timedelta(days=7)
    return sorted(days)


@transaction.atomic
def add_run_history(*, today: dt.date, weeks: int = 26, seed: int = 2025) -> int:
    """Step 1: past runs with counts per enrolled municipality; returns the number of runs added."""
    this_week = today.isocalendar()[:2]
    past = SelectionRun.objects.exclude(iso_year=this_week[0], iso_week=this_week[1]).filter(run_date__lt=today)
    if past.count() >= MIN_HISTORY_RUNS:
        return 0
    rng = random.Random(seed)
    enrolled = list(
        ElipEnrolment.objects.filter(status=EnrolmentStatus.ENROLLED).order_by("municipality__code")
        .values_list("municipality_id", flat=True)
    )  # fmt: skip
    taken = set(SelectionRun.objects.values_list("iso_year", "iso_week"))
    days = [d for d in _wednesdays_before(today, weeks) if d.isocalendar()[:2] not in taken]
    dispatches = {d.date: d for d in Dispatch.objects.filter(date__in=days)}
    Dispatch.objects.bulk_create([Dispatch(date=d) for d in days if d not in dispatches])
    dispatches = {d.date: d for d in Dispatch.objects.filter(date__in=days)}
    runs = SelectionRun.objects.bulk_create(
        [
            SelectionRun(
                run_date=d,
                iso_year=d.isocalendar()[0],
                iso_week=d.isocalendar()[1],
                policy=active_policy(d),
                status=RunStatus.DONE,
                finished_at=timezone.now(),
                dispatch=dispatches[d],
            )  # fmt: skip
            for d in days
        ]
    )
    base = {pk: rng.randint(3, 40) for pk in enrolled}
    rows = []
    for i, run in enumerate(sorted(runs, key=lambda r: r.run_date)):
        for pk in enrolled:
            count = max(0, base[pk] + rng.randint(-3, 3))
            if i == len(runs) - 1 and pk == enrolled[0]:
                count = 0  # the band alert: 0 after weeks with letters
            rows.append(RunMunicipality(run=run, municipality_id=pk, letters_count=count))
    RunMunicipality.objects.bulk_create(rows)
    return len(runs)


@transaction.atomic
def fix_timings(*, today: dt.date, seed: int = 2025) -> int:
    """Step 2: a run dated before today whose start is not on its date gets a start on its date."""
    rng = random.Random(seed + 1)
    changed = 0
    for run in SelectionRun.objects.filter(run_date__lt=today).order_by("run_date"):
        if timezone.localtime(run.started_at, AMSTERDAM).date() == run.run_date:
            continue
        start = dt.datetime.combine(run.run_date, dt.time(6, rng.randint(0, 2), rng.randint(0, 59)), tzinfo=AMSTERDAM)
        finished = start + dt.timedelta(minutes=rng.randint(2, 25), seconds=rng.randint(0, 59))
        SelectionRun.objects.filter(pk=run.pk).update(started_at=start, finished_at=finished)
        bundled = finished + dt.timedelta(minutes=rng.randint(3, 30))
        LetterBundle.objects.filter(dispatch_id=run.dispatch_id).update(created_at=bundled)
        changed += 1
    return changed


def add_alert(*, now: dt.datetime | None = None) -> list:
    """Step 3: the last due run is late if it is history; then evaluate (no e-mail)."""
    now = now or timezone.now()
    due = last_deadline(now)
    year, week, _ = due.date().isocalendar()
    run = SelectionRun.objects.filter(iso_year=year, iso_week=week, run_date__lt=timezone.localdate()).first()
    if run is not None and run.finished_at and run.finished_at <= due:
        SelectionRun.objects.filter(pk=run.pk).update(finished_at=due + dt.timedelta(minutes=42))
    return alerts_evaluate(now=now, notify=False)


def build_control_demo(*, today: dt.date | None = None, seed: int = 2025) -> dict:
    today = today or timezone.localdate()
    added = add_run_history(today=today, seed=seed)
    timed = fix_timings(today=today, seed=seed)
    alerts = add_alert()
    return {"runs_added": added, "runs_timed": timed, "alerts": len(alerts)}
