"""The weekly ELIP run (DOMAIN.md "The weekly run"): select, letter, signal, record; then render.

Guarantees and what enforces them:

* A person gets at most one ELIP letter, ever: ``Letter.person`` is a OneToOneField (unique in the
  database). The run only selects persons without a letter, and re-checks inside each batch's
  transaction, under a row lock on the run, so two processes working on one run never overlap.
* At most one run per date and per ISO week: ``SelectionRun.run_date`` is unique and
  (``iso_year``, ``iso_week``) is unique. A second call for the same date returns the existing run
  (finished: nothing happens; still ``bezig``: it resumes); a call for another date in a week that
  already has a run returns that run and creates nothing.
* Interrupted and restarted, every letter exists exactly once: letters are written per batch
  (``settings.LETTER_BATCH_SIZE``) in one transaction with their SS400 signals and the
  municipality's count, so a crash loses at most the open batch, which the restart redoes.
* Rendering is queued per municipality once all its letters are committed (``delay_on_commit``):
  a worker never sees a letter that is not in the database. Bundling has one mechanism: every render
  batch ends with ``letters.services.bundles_build``, which merges a municipality's bundle only when
  none of its letters waits any more — so the batch that finishes last builds it, once (the bundle
  row is unique per run and municipality and locked while it is merged). A resumed run re-queues
  every letter of the run that still waits for its PDF. Without a broker the same tasks run in-process.

Layering: this service is called by ``elip.tasks`` (the beat task) and ``manage.py elip_run``; it
never imports ``elip.tasks``. It queues the letters app's render task, a lower layer's entry point.
"""

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from letters.content import build_snapshots
from letters.models import Letter, RenderStatus
from letters.tasks import render_letter_batch
from pib.models import Municipality, Person
from signals.constants import SignalCode
from signals.services import signal_emit

from ..constants import EnrolmentStatus, RunStatus
from ..models import ComparisonEntry, ElipEnrolment, RunMunicipality, SelectionRun
from ..selectors import active_policy, elip_candidates_without_letter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunProgress:
    """Passed to ``progress`` after every committed batch and after every municipality."""

    run: SelectionRun
    municipality: Municipality
    municipality_letters: int  # letters created for this municipality in this call
    letters_created: int  # letters created in this call, all municipalities
    municipalities_done: int
    municipalities_total: int
    municipality_finished: bool
    letters_planned: int = 0  # candidates found at the start of this call (an upper bound)


def letter_reference(run_date: dt.date, public_id: uuid.UUID) -> str:
    """ "Onze referentie": run date and the first 8 hex digits of the person's public id (never the BSN)."""
    return f"ELIP-{run_date:%Y%m%d}-{public_id.hex[:8].upper()}"


def _get_or_start_run(run_date: dt.date) -> SelectionRun:
    iso_year, iso_week, _ = run_date.isocalendar()
    existing = SelectionRun.objects.filter(iso_year=iso_year, iso_week=iso_week).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SelectionRun.objects.create(
                run_date=run_date, iso_year=iso_year, iso_week=iso_week, policy=active_policy(run_date)
            )
    except IntegrityError:  # another process started this week's run a moment ago
        return SelectionRun.objects.get(iso_year=iso_year, iso_week=iso_week)


def _contacts(enrolment: ElipEnrolment) -> dict:
    return {
        "name": enrolment.municipality.name,
        "phone": enrolment.letter_phone,
        "email": enrolment.letter_email,
        "website": enrolment.letter_website,
    }


def _letter_batch(*, run: SelectionRun, run_row: RunMunicipality, enrolment: ElipEnrolment, chunk) -> list[int]:
    """One transaction: letters + SS400 + count for up to LETTER_BATCH_SIZE persons. Returns letter ids."""
    with transaction.atomic():
        # Serialises everyone working on this run: a concurrent resume waits here, then sees our letters.
        SelectionRun.objects.select_for_update().filter(pk=run.pk).exists()
        wanted = dict(chunk)
        lettered = set(Letter.objects.filter(person_id__in=wanted).values_list("person_id", flat=True))
        municipality = enrolment.municipality
        persons = list(
            Person.objects.filter(pk__in=[pk for pk in wanted if pk not in lettered], municipality=municipality)
            .select_related("municipality")
            .order_by("pk")
        )
        if not persons:
            return []
        snapshots = build_snapshots(
            [p.pk for p in persons], on_date=run.run_date, municipality_contacts={municipality.pk: _contacts(enrolment)}
        )
        letters = Letter.objects.bulk_create(
            [
                Letter(
                    person=person,
                    municipality=municipality,
                    dispatch_id=run.dispatch_id,
                    letter_date=run.run_date,
                    reference=letter_reference(run.run_date, person.public_id),
                    matched_rule=wanted[person.pk],
                    snapshot=snapshots[person.pk],
                )
                for person in persons
            ]
        )
        for person in persons:
            signal_emit(person=person, municipality=municipality, code=SignalCode.SS400, on_date=run.run_date)
        RunMunicipality.objects.filter(pk=run_row.pk).update(letters_count=F("letters_count") + len(letters))
        return [letter.pk for letter in letters]


def _queue_rendering(run: SelectionRun, municipality: Municipality | int, batch_size: int) -> int:
    """Queue rendering of every letter of this run and municipality that still waits for its PDF, in
    batches, once all its letters exist (so the bundle is merged once, by the last batch to finish).
    Also picks up letters committed before a crash whose render task was never queued; a letter
    queued twice is rendered once (``letters_render`` skips rendered letters)."""
    pending = list(
        Letter.objects.filter(
            dispatch_id=run.dispatch_id, municipality=municipality, render_status=RenderStatus.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pending), batch_size):
        render_letter_batch.delay_on_commit(pending[start : start + batch_size])
    return len(pending)


def _record_comparison_group(run: SelectionRun, enrolled_ids: set[int]) -> int:
    """The comparison group of the letter figures (docs/figures.md): candidates living in a
    municipality that is not enrolled, without a letter, recorded at the first run that selects them.
    One selection query and bulk inserts; idempotent (a resumed run or a second process adds nothing:
    ``ComparisonEntry.person`` is unique and conflicts are ignored)."""
    rows = (
        elip_candidates_without_letter(run.run_date, run.policy)
        .exclude(municipality_id__in=enrolled_ids)
        .filter(comparison_entry__isnull=True)
        .order_by("pk")
        .values_list("pk", "municipality_id")
    )
    entries = [
        ComparisonEntry(person_id=pk, municipality_id=municipality_id, run=run, selected_on=run.run_date)
        for pk, municipality_id in rows
    ]
    ComparisonEntry.objects.bulk_create(entries, batch_size=5000, ignore_conflicts=True)
    return len(entries)


def weekly_run(*, run_date: dt.date, progress: Callable[[RunProgress], None] | None = None) -> SelectionRun:
    """DOMAIN.md's four steps for ``run_date``; idempotent and resumable (see the module docstring).

    One selection (one query) finds the persons living in an enrolled municipality (status
    aangemeld) who meet the criteria in force on ``run_date`` and never had a letter. Per
    municipality, in CBS-code order, each of them gets the Letter with its
    snapshot (``letters.content.build_snapshots``), SS400 to the municipality, and the run's count
    for the municipality, in batches of ``settings.LETTER_BATCH_SIZE``, one transaction each.
    Rendering is queued per municipality after its last batch commits; the render batches build
    the bundles. Last, the candidates in municipalities that are not enrolled are recorded once as the
    comparison group of the letter figures (``ComparisonEntry``).

    ``progress`` (optional) is called with a ``RunProgress`` after every batch and every municipality;
    an exception it raises stops the run like a crash would (a restart resumes).
    """
    run = _get_or_start_run(run_date)
    if run.run_date != run_date or run.status == RunStatus.DONE:
        logger.info("ELIP-run %s: already done for this week (run of %s), nothing to do", run_date, run.run_date)
        return run

    enrolments = list(
        ElipEnrolment.objects.filter(status=EnrolmentStatus.ENROLLED)
        .select_related("municipality")
        .order_by("municipality__code")
    )
    batch_size = max(1, int(settings.LETTER_BATCH_SIZE))
    # One selection for all enrolled municipalities (one query), grouped per municipality.
    planned: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for municipality_id, person_id, rule in (
        elip_candidates_without_letter(run.run_date, run.policy)
        .filter(municipality_id__in=[e.municipality_id for e in enrolments])
        .order_by("pk")
        .values_list("municipality_id", "pk", "matched_rule")
    ):
        planned[municipality_id].append((person_id, rule))
    letters_planned = sum(len(c) for c in planned.values())
    created_total = 0
    for done, enrolment in enumerate(enrolments, start=1):
        municipality = enrolment.municipality
        run_row, _ = RunMunicipality.objects.get_or_create(run=run, municipality=municipality)
        candidates = planned.get(municipality.pk, [])
        created_here = 0
        for start in range(0, len(candidates), batch_size):
            ids = _letter_batch(
                run=run, run_row=run_row, enrolment=enrolment, chunk=candidates[start : start + batch_size]
            )
            created_here += len(ids)
            created_total += len(ids)
            if progress and ids:
                progress(
                    RunProgress(
                        run,
                        municipality,
                        created_here,
                        created_total,
                        done - 1,
                        len(enrolments),
                        False,
                        letters_planned,
                    )
                )
        _queue_rendering(run, municipality, batch_size)
        if progress:
            progress(
                RunProgress(
                    run, municipality, created_here, created_total, done, len(enrolments), True, letters_planned
                )
            )

    # Letters committed before a crash for a municipality that withdrew before the restart.
    processed = {e.municipality_id for e in enrolments}
    for municipality_id in (
        Letter.objects.filter(dispatch_id=run.dispatch_id, render_status=RenderStatus.PENDING)
        .exclude(municipality_id__in=processed)
        .order_by()
        .values_list("municipality_id", flat=True)
        .distinct()
    ):
        _queue_rendering(run, municipality_id, batch_size)

    _record_comparison_group(run, processed)

    with transaction.atomic():
        run = SelectionRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DONE:
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
    logger.info("ELIP-run %s: done, %d letters created in this call", run.run_date, created_total)
    return run
