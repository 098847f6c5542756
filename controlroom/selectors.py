"""Reads of the control room: per weekly run its figures, per run its municipalities, alerts.

Guarantees (tests/controlroom/test_selectors.py, query counts in tests/controlroom/test_views.py):

* ``run_rows`` answers for any number of runs in a fixed number of queries (5: runs, counts per run,
  letters per run and render status, bundles per run, open alerts per run), never one per run or
  per municipality; at 104 runs × 342 municipalities it stays under the control room's 2 s
  (tests/bench/bench_controlroom.py).
* ``municipality_rows`` answers for one run in 4 queries, whatever the number of municipalities.
* Counts only: no person data is read or shown, so nothing here is read-logged.

Definitions (docs/controlroom.md):

* *selected*: the persons the run selected for a letter (the sum of ``RunMunicipality.letters_count``;
  a run selects only in enrolled municipalities); *letters*: the run's ``Letter`` rows;
* *rendered / pending / failed*: letters by ``render_status`` (aangemaakt / wachtend / mislukt);
* *bundles*: the run's ``LetterBundle`` rows holding letters (``letters_count`` > 0: the merge sets
  the file and the count together; a row made before merging has 0); a municipality "needs" one when
  it has a letter in the run, and its bundle is complete when it holds all of them;
* *time taken*: from the run's start to its selection finishing (``finished_at``) and to its last
  bundle (as /gezondheid/metrics/ measures it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum

from elip.models import RunMunicipality, SelectionRun
from letters.models import Letter, LetterBundle, RenderStatus

from .constants import AlertStatus
from .models import Alert, ControlAction

WEEKS = 52


@dataclass
class RunRow:
    run: SelectionRun
    municipalities: int = 0
    selected: int = 0
    letters: int = 0
    rendered: int = 0
    pending: int = 0
    failed: int = 0
    bundles: int = 0
    bundles_needed: int = 0
    open_alerts: int = 0
    last_bundle_at: dt.datetime | None = None

    @property
    def run_date(self) -> dt.date:
        return self.run.run_date

    @property
    def selection_seconds(self) -> float | None:
        if self.run.finished_at is None:
            return None
        return (self.run.finished_at - self.run.started_at).total_seconds()

    @property
    def total_seconds(self) -> float | None:
        """From the start to the last bundle (None while no bundle exists)."""
        if self.last_bundle_at is None:
            return None
        return max((self.last_bundle_at - self.run.started_at).total_seconds(), 0.0)

    @property
    def bundles_missing(self) -> int:
        return max(self.bundles_needed - self.bundles, 0)


def runs_recent(weeks: int = WEEKS):
    return SelectionRun.objects.order_by("-run_date")[:weeks]


def run_rows(runs) -> list[RunRow]:
    """Figures of each run of ``runs`` (a list or queryset of SelectionRun), in the given order."""
    runs = list(runs)
    rows = {run.dispatch_id: RunRow(run=run) for run in runs}
    by_run = {run.pk: rows[run.dispatch_id] for run in runs}
    if not runs:
        return []
    for item in (
        RunMunicipality.objects.filter(run_id__in=by_run)
        .values("run_id")
        .annotate(n=Count("pk"), selected=Sum("letters_count"))
        .order_by()
    ):
        row = by_run[item["run_id"]]
        row.municipalities, row.selected = item["n"], item["selected"] or 0
    for item in (
        Letter.objects.filter(dispatch_id__in=rows)
        .values("dispatch_id")
        .annotate(
            total=Count("pk"),
            rendered=Count("pk", filter=Q(render_status=RenderStatus.RENDERED)),
            failed=Count("pk", filter=Q(render_status=RenderStatus.FAILED)),
            municipalities=Count("municipality_id", distinct=True),
        )
        .order_by()
    ):
        row = rows[item["dispatch_id"]]
        row.letters, row.rendered, row.failed = item["total"], item["rendered"], item["failed"]
        row.pending = item["total"] - item["rendered"] - item["failed"]
        row.bundles_needed = item["municipalities"]
    for item in (
        LetterBundle.objects.filter(dispatch_id__in=rows)
        .filter(letters_count__gt=0)
        .values("dispatch_id")
        .annotate(n=Count("pk"), last=Max("created_at"))
        .order_by()
    ):
        row = rows[item["dispatch_id"]]
        row.bundles, row.last_bundle_at = item["n"], item["last"]
    for item in (
        Alert.objects.filter(run_id__in=by_run, status=AlertStatus.OPEN, resolved_at__isnull=True)
        .values("run_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_run[item["run_id"]].open_alerts = item["n"]
    return [rows[run.dispatch_id] for run in runs]


@dataclass
class MunicipalityRow:
    code: str
    name: str
    selected: int = 0
    letters: int = 0
    rendered: int = 0
    pending: int = 0
    failed: int = 0
    bundle: bool = False
    bundle_letters: int = 0
    open_alerts: int = 0

    @property
    def bundle_needed(self) -> bool:
        return self.letters > 0


def municipality_rows(run: SelectionRun) -> list[MunicipalityRow]:
    """Per municipality of ``run`` (it took part, or has letters in it): its figures, by CBS code."""
    rows: dict[int, MunicipalityRow] = {}

    def row_for(pk, code, name):
        if pk not in rows:
            rows[pk] = MunicipalityRow(code=code, name=name)
        return rows[pk]

    for pk, code, name, count in RunMunicipality.objects.filter(run=run).values_list(
        "municipality_id", "municipality__code", "municipality__name", "letters_count"
    ):
        row_for(pk, code, name).selected = count
    for item in (
        Letter.objects.filter(dispatch_id=run.dispatch_id)
        .values("municipality_id", "municipality__code", "municipality__name")
        .annotate(
            total=Count("pk"),
            rendered=Count("pk", filter=Q(render_status=RenderStatus.RENDERED)),
            failed=Count("pk", filter=Q(render_status=RenderStatus.FAILED)),
        )
        .order_by()
    ):
        row = row_for(item["municipality_id"], item["municipality__code"], item["municipality__name"])
        row.letters, row.rendered, row.failed = item["total"], item["rendered"], item["failed"]
        row.pending = item["total"] - item["rendered"] - item["failed"]
    for pk, count in (
        LetterBundle.objects.filter(dispatch_id=run.dispatch_id)
        .filter(letters_count__gt=0)
        .values_list("municipality_id", "letters_count")
    ):
        if pk in rows:
            rows[pk].bundle, rows[pk].bundle_letters = True, count
    for item in (
        Alert.objects.filter(run=run, status=AlertStatus.OPEN, resolved_at__isnull=True, municipality__isnull=False)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if item["municipality_id"] in rows:
            rows[item["municipality_id"]].open_alerts = item["n"]
    return sorted(rows.values(), key=lambda r: r.code)


def alerts_listed(status: str | None = None):
    """Alerts newest run first; ``status`` open (not resolved), gezien, opgelost or all (None)."""
    alerts = Alert.objects.select_related("municipality", "acknowledged_by", "run")
    if status == AlertStatus.OPEN:
        return alerts.filter(status=AlertStatus.OPEN, resolved_at__isnull=True)
    if status == AlertStatus.ACKNOWLEDGED:
        return alerts.filter(status=AlertStatus.ACKNOWLEDGED)
    if status == "opgelost":
        return alerts.filter(resolved_at__isnull=False)
    return alerts


def actions_listed():
    return ControlAction.objects.select_related("user", "run", "municipality", "alert")


def failed_letter_ids(run: SelectionRun, municipality_id: int | None = None) -> list[int]:
    letters = Letter.objects.filter(dispatch_id=run.dispatch_id, render_status=RenderStatus.FAILED)
    if municipality_id is not None:
        letters = letters.filter(municipality_id=municipality_id)
    return list(letters.order_by("pk").values_list("pk", flat=True))
