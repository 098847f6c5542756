"""Writes of the control room: evaluate the alerts, tell DUO functioneel beheer, acknowledge an alert,
and DUO's two repair actions (re-render failed letters, rebuild a bundle) through the letters app.

Guarantees (tests/controlroom/test_alerts.py, test_actions.py):

* ``alerts_evaluate`` is idempotent: an alert is one row per ``key`` (kind + run date +
  municipality, unique in the database), so evaluating again, or twice at once, creates nothing
  new; a condition that no longer holds gets ``resolved_at``; one that returns is reopened.
* Each alert is e-mailed once (``emailed_at``) to every active user of "DUO functioneel beheer"
  with an e-mail address; a failed send leaves ``emailed_at`` empty, so the next evaluation tries again.
* Every action writes a ``ControlAction`` (who, when, what, how many) in the transaction that does it;
  rendering and bundling are queued after commit through ``letters.tasks`` (the same tasks the
  weekly run uses), never done inside the request.

The rules (docs/controlroom.md "Alerts"), with ``D`` = the run's Wednesday, 07:00 Europe/Amsterdam:

* RUN_LATE: at or after 07:00 on a Wednesday, that ISO week has no run, or its run is not
  *voltooid*, or it finished after 07:00 (once any run exists: a fresh installation has none due).
* RENDER_FAILED: a municipality has letters with render status *mislukt* in the run.
* BUNDLE_MISSING: a municipality has letters in the run but no bundle holding all of them, and
  either every letter is rendered (the bundle should exist) or the run's 07:00 has passed.
* COUNT_HIGH: the run is voltooid; the municipality's count > 3 × the median of its counts in the
  12 runs before (only runs it took part in; at least ``MIN_HISTORY`` of them; median ≥ 1).
* COUNT_ZERO: the run is voltooid; the count is 0 and its last ``ZERO_AFTER`` counts before were
  all above 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from elip.constants import RunStatus
from elip.models import RunMunicipality, SelectionRun
from letters.models import Letter, LetterBundle, RenderStatus
from letters.tasks import rebuild_bundle, render_letter_batch
from pib.duo_groups import FUNCTIONAL
from pib.formatting import date_figures
from pib.models import Municipality

from .constants import ActionKind, AlertKind, AlertStatus
from .models import Alert, ControlAction

logger = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RUN_WEEKDAY = 2  # Wednesday (elip.health and the beat schedule: the run starts 06:00)
DEADLINE = dt.time(7, 0)
BAND_WEEKS = 12
BAND_FACTOR = 3
MIN_HISTORY = 4
ZERO_AFTER = 4
RUNS_EVALUATED = 2  # the newest runs whose letters and bundles are checked on each evaluation


class ControlRoomError(Exception):
    """A control-room action that cannot be done now; the message is Dutch, for the screen."""


# --- alerts ------------------------------------------------------------------------------------


def deadline_of(run_date: dt.date) -> dt.datetime:
    """07:00 Europe/Amsterdam on the Wednesday of ``run_date``'s ISO week."""
    year, week, _ = run_date.isocalendar()
    wednesday = dt.date.fromisocalendar(year, week, RUN_WEEKDAY + 1)
    return dt.datetime.combine(wednesday, DEADLINE, tzinfo=AMSTERDAM)


def last_deadline(now: dt.datetime) -> dt.datetime:
    """The latest Wednesday 07:00 (Amsterdam) at or before ``now``."""
    local = now.astimezone(AMSTERDAM)
    day = local.date() - dt.timedelta(days=(local.weekday() - RUN_WEEKDAY) % 7)
    due = dt.datetime.combine(day, DEADLINE, tzinfo=AMSTERDAM)
    return due if due <= local else due - dt.timedelta(days=7)


def _found(kind, run_date, municipality=None, *, run=None, message, figures=None) -> dict:
    code = municipality.code if municipality is not None else ""
    return {
        "key": f"{kind}:{run_date.isoformat()}:{code}".rstrip(":"),
        "kind": kind,
        "run_date": run_date,
        "run": run,
        "municipality": municipality,
        "message": message[:300],
        "figures": figures or {},
    }


def _run_late(now: dt.datetime) -> list[dict]:
    first = SelectionRun.objects.order_by("run_date").values_list("run_date", flat=True).first()
    due = last_deadline(now)
    wednesday = due.date()
    if first is None or wednesday < first:
        return []
    year, week, _ = wednesday.isocalendar()
    run = SelectionRun.objects.filter(iso_year=year, iso_week=week).first()
    when = f"woensdag {date_figures(wednesday)} (week {week})"
    if run is None:
        return [_found(AlertKind.RUN_LATE, wednesday, message=f"De run van {when} ontbrak om 07:00.")]
    if run.status != RunStatus.DONE:
        return [
            _found(AlertKind.RUN_LATE, wednesday, run=run, message=f"De run van {when} was om 07:00 niet voltooid.")
        ]
    if run.finished_at and run.finished_at > due:
        at = run.finished_at.astimezone(AMSTERDAM)
        return [
            _found(
                AlertKind.RUN_LATE,
                wednesday,
                run=run,
                message=f"De run van {when} is pas om {at:%H:%M} voltooid, na 07:00.",
                figures={"voltooid": at.isoformat()},
            )
        ]
    return []


def _letters_and_bundles(run: SelectionRun, now: dt.datetime, municipalities: dict) -> list[dict]:
    found = []
    past_deadline = now >= deadline_of(run.run_date)
    bundles = dict(
        LetterBundle.objects.filter(dispatch_id=run.dispatch_id)
        .filter(letters_count__gt=0)
        .values_list("municipality_id", "letters_count")
    )
    rows = (
        Letter.objects.filter(dispatch_id=run.dispatch_id)
        .values("municipality_id")
        .annotate(
            total=Count("pk"),
            rendered=Count("pk", filter=Q(render_status=RenderStatus.RENDERED)),
            failed=Count("pk", filter=Q(render_status=RenderStatus.FAILED)),
        )
        .order_by("municipality_id")
    )
    for row in rows:
        municipality = municipalities[row["municipality_id"]]
        if row["failed"]:
            found.append(
                _found(
                    AlertKind.RENDER_FAILED,
                    run.run_date,
                    municipality,
                    run=run,
                    message=f"{row['failed']} PDF('s) mislukt voor {municipality.name}.",
                    figures={"mislukt": row["failed"], "brieven": row["total"]},
                )
            )
        complete = bundles.get(row["municipality_id"]) == row["total"]
        if not complete and (row["rendered"] == row["total"] or past_deadline):
            waiting = row["total"] - row["rendered"]
            found.append(
                _found(
                    AlertKind.BUNDLE_MISSING,
                    run.run_date,
                    municipality,
                    run=run,
                    message=(
                        f"Bundel ontbreekt voor {municipality.name} ({row['total']} brieven"
                        + (f", waarvan {waiting} zonder PDF" if waiting else "")
                        + ")."
                    ),
                    figures={"brieven": row["total"], "zonder_pdf": waiting},
                )
            )
    return found


def band(history: list[int]) -> tuple[float | None, bool]:
    """(median of ``history`` — newest first — or None without ``MIN_HISTORY`` counts, whether its
    newest ``ZERO_AFTER`` counts are all above 0)."""
    median = statistics.median(history) if len(history) >= MIN_HISTORY else None
    non_zero_run = len(history) >= ZERO_AFTER and all(count > 0 for count in history[:ZERO_AFTER])
    return median, non_zero_run


def count_outside_band(count: int, history: list[int]) -> str | None:
    """``COUNT_HIGH``, ``COUNT_ZERO`` or None for ``count`` against ``history`` (newest first)."""
    median, non_zero_run = band(history)
    if median is not None and median >= 1 and count > BAND_FACTOR * median:
        return AlertKind.COUNT_HIGH
    if count == 0 and non_zero_run:
        return AlertKind.COUNT_ZERO
    return None


def _counts(run: SelectionRun, municipalities: dict) -> list[dict]:
    if run.status != RunStatus.DONE:
        return []
    before = list(
        SelectionRun.objects.filter(run_date__lt=run.run_date)
        .order_by("-run_date")
        .values_list("pk", flat=True)[:BAND_WEEKS]
    )
    history: dict[int, list[int]] = {}
    order = {pk: i for i, pk in enumerate(before)}
    for municipality_id, _run_id, count in sorted(
        RunMunicipality.objects.filter(run_id__in=before).values_list("municipality_id", "run_id", "letters_count"),
        key=lambda r: order[r[1]],
    ):
        history.setdefault(municipality_id, []).append(count)
    found = []
    for municipality_id, count in RunMunicipality.objects.filter(run=run).values_list(
        "municipality_id", "letters_count"
    ):
        past = history.get(municipality_id, [])
        kind = count_outside_band(count, past)
        if kind is None:
            continue
        municipality = municipalities[municipality_id]
        median, _ = band(past)
        if kind == AlertKind.COUNT_HIGH:
            message = (
                f"{municipality.name}: {count} brieven, meer dan {BAND_FACTOR} × de mediaan van de "
                f"vorige {len(past)} runs ({median:g})."
            )
        else:
            message = f"{municipality.name}: 0 brieven na {ZERO_AFTER} runs met brieven."
        found.append(
            _found(
                kind,
                run.run_date,
                municipality,
                run=run,
                message=message,
                figures={"aantal": count, "mediaan": median, "vorige": past},
            )
        )
    return found


def alerts_find(now: dt.datetime) -> tuple[list[dict], list[SelectionRun]]:
    """What holds now: the alerts found, and the runs whose letters/bundles/counts were checked."""
    municipalities = Municipality.objects.in_bulk()
    runs = list(SelectionRun.objects.order_by("-run_date")[:RUNS_EVALUATED])
    found = _run_late(now)
    for run in runs:
        found += _letters_and_bundles(run, now, municipalities)
        found += _counts(run, municipalities)
    return found, runs


def alerts_evaluate(*, now: dt.datetime | None = None, notify: bool = True) -> list[Alert]:
    """Record the alerts that hold at ``now`` (default: the clock); resolve the ones of the checked
    runs that no longer hold; e-mail the new ones. Returns the alerts created by this call."""
    now = now or timezone.now()
    found, runs = alerts_find(now)
    created = []
    for item in found:
        defaults = {k: v for k, v in item.items() if k != "key"}
        try:
            with transaction.atomic():
                alert, made = Alert.objects.get_or_create(key=item["key"], defaults=defaults)
        except IntegrityError:  # created at the same moment by another evaluation
            continue
        if made:
            created.append(alert)
        elif alert.resolved_at is not None:
            Alert.objects.filter(pk=alert.pk).update(resolved_at=None, message=item["message"], figures=item["figures"])
    keys = {item["key"] for item in found}
    checked = [k for k in AlertKind.values if k != AlertKind.RUN_LATE]
    (
        Alert.objects.filter(run__in=runs, kind__in=checked, resolved_at__isnull=True)
        .exclude(key__in=keys)
        .update(resolved_at=now)
    )
    if notify:
        alerts_notify()
    return created


def recipients() -> list[str]:
    users = get_user_model().objects.filter(groups__name=FUNCTIONAL, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def alerts_notify() -> int:
    """E-mail every alert not yet e-mailed (and not resolved) to DUO functioneel beheer, in one
    message; returns the number of alerts sent. Counts and municipality names only."""
    pending = list(
        Alert.objects.filter(emailed_at__isnull=True, resolved_at__isnull=True)
        .select_related("municipality")
        .order_by("run_date", "kind", "pk")
    )
    to = recipients()
    if not pending or not to:
        return 0
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("controlroom:alerts")
    lines = [
        "De controlekamer van het Portal Inburgering meldt:",
        "",
        *(f"- {a.get_kind_display()} (run {date_figures(a.run_date)}): {a.message}" for a in pending),
        "",
        f"Bekijk en behandel de meldingen in de controlekamer: {link}",
    ]
    subject = f"Controlekamer ELIP: {len(pending)} nieuwe melding{'en' if len(pending) != 1 else ''}"
    try:
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, to)
    except Exception as exc:  # noqa: BLE001 - the next evaluation tries again
        logger.warning("control room alert e-mail not sent: %s", type(exc).__name__)
        return 0
    Alert.objects.filter(pk__in=[a.pk for a in pending]).update(emailed_at=timezone.now())
    return len(pending)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        return alert
    alert.status, alert.acknowledged_by, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, user, timezone.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    ControlAction.objects.create(
        user=user,
        kind=ActionKind.ACKNOWLEDGE,
        alert=alert,
        run=alert.run,
        municipality=alert.municipality,
        detail={"melding": alert.get_kind_display()},
    )
    return alert


# --- actions -----------------------------------------------------------------------------------


def _queue_after_commit(task, *args) -> None:
    """Queue ``task`` once the action's row is committed. ``robust``: a task that fails at once (tasks
    run in-process without a broker: the demo) is logged by Django and does not undo or break the
    request — the action stays logged, and the letters' own status shows the outcome."""
    transaction.on_commit(lambda: task.delay(*args), robust=True)


@transaction.atomic
def failed_letters_rerender(*, run: SelectionRun, user, municipality: Municipality | None = None) -> ControlAction:
    """Queue every failed letter of ``run`` (of one municipality, if given) for rendering again, in
    batches through ``letters.tasks.render_letter_batch`` (which then builds the bundles)."""
    letters = Letter.objects.filter(dispatch_id=run.dispatch_id, render_status=RenderStatus.FAILED)
    if municipality is not None:
        letters = letters.filter(municipality=municipality)
    ids = list(letters.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise ControlRoomError("Er zijn geen mislukte PDF's om opnieuw te maken.")
    size = max(1, int(settings.LETTER_BATCH_SIZE))
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    for batch in batches:
        _queue_after_commit(render_letter_batch, batch)
    return ControlAction.objects.create(
        user=user,
        kind=ActionKind.RERENDER,
        run=run,
        municipality=municipality,
        detail={"brieven": len(ids), "batches": len(batches)},
    )


@transaction.atomic
def bundle_rebuild_request(*, run: SelectionRun, municipality: Municipality, user) -> ControlAction:
    """Queue the rebuild of ``municipality``'s bundle of ``run`` (``letters.tasks.rebuild_bundle``)."""
    letters = Letter.objects.filter(dispatch_id=run.dispatch_id, municipality=municipality)
    total = letters.count()
    if not total:
        raise ControlRoomError(f"{municipality.name} heeft geen brieven in deze run: er is geen bundel te maken.")
    if letters.exclude(render_status=RenderStatus.RENDERED).exists():
        raise ControlRoomError(
            f"Nog niet alle PDF's van {municipality.name} zijn aangemaakt: maak eerst de mislukte PDF's opnieuw."
        )
    _queue_after_commit(rebuild_bundle, run.dispatch_id, municipality.pk)
    return ControlAction.objects.create(
        user=user,
        kind=ActionKind.REBUILD_BUNDLE,
        run=run,
        municipality=municipality,
        detail={"brieven": total},
    )
