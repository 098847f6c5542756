"""Celery tasks of the letters app: thin wrappers around letters.services.

``sweep`` runs from the beat schedule (``CELERY_BEAT_SCHEDULE["letters-sweep"]``, every
``LETTER_SWEEP_INTERVAL_SECONDS``): the database is the truth, the broker only a to-do list that can
be lost (a Redis restart without persistence, a message dropped). It re-queues the render batches of
letters still pending ``LETTER_SWEEP_AFTER_SECONDS`` after they were made, and the bundling of every
dispatch with a municipality whose letters are all rendered but whose bundle is missing. Queuing
twice is harmless: ``letters_render`` skips rendered letters and letters another worker holds (row
lock), ``bundles_build`` keeps a complete bundle and merges under the bundle's row lock.
"""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import Dispatch
from .selectors import dispatches_missing_bundles, stale_pending_letter_batches
from .services import LettersNotRendered, bundle_rebuild, bundles_build, letters_render

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="letters.render_letter_batch",
    acks_late=True,  # a batch is acknowledged only when done...
    reject_on_worker_lost=True,  # ...and requeued when its worker dies (SIGKILL, OOM)
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def render_letter_batch(self, letter_ids):
    """Render a batch of letters (skipping rendered ones), then bundle every municipality of their
    dispatch(es) whose letters are now all rendered. Failed letters are recorded on their rows; the task
    then raises so Celery retries the batch with backoff (only the failed letters are re-rendered).
    A lost database connection raises too, and the batch is retried the same way.
    In eager mode (embedded demo, tests) failures stay recorded and are not raised."""
    failed = letters_render(letter_ids=letter_ids)
    for dispatch in Dispatch.objects.filter(letters__pk__in=list(letter_ids)).distinct().order_by("pk"):
        bundles_build(dispatch=dispatch)
    if failed and not self.request.is_eager:
        raise LettersNotRendered(failed)
    return {"rendered": len(letter_ids) - len(failed), "failed": failed}


@shared_task(
    name="letters.build_bundles",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def build_bundles(dispatch_id):
    """Merge the missing bundles of one dispatch (municipalities with every letter rendered)."""
    dispatch = Dispatch.objects.filter(pk=dispatch_id).first()
    if dispatch is not None:
        bundles_build(dispatch=dispatch)


@shared_task(name="letters.sweep", acks_late=True)
def sweep() -> dict:
    """Beat: re-queue what the database says is still to do (see the module docstring)."""
    created_before = timezone.now() - dt.timedelta(seconds=settings.LETTER_SWEEP_AFTER_SECONDS)
    batches = stale_pending_letter_batches(created_before=created_before, batch_size=settings.LETTER_BATCH_SIZE)
    for letter_ids in batches:
        render_letter_batch.delay(letter_ids)
    dispatches = dispatches_missing_bundles()
    for dispatch_id in dispatches:
        build_bundles.delay(dispatch_id)
    if batches or dispatches:
        logger.info(
            "letters sweep: %d pending letter(s) re-queued in %d batch(es), bundling of %d dispatch(es)",
            sum(len(b) for b in batches),
            len(batches),
            len(dispatches),
        )
    return {"letters": sum(len(b) for b in batches), "batches": len(batches), "dispatches": len(dispatches)}


@shared_task(name="letters.rebuild_bundle", acks_late=True, reject_on_worker_lost=True)
def rebuild_bundle(dispatch_id, municipality_id):
    """Merge one municipality's bundle of a dispatch again (the control room's action)."""
    dispatch = Dispatch.objects.filter(pk=dispatch_id).first()
    if dispatch is None:
        return False
    return bundle_rebuild(dispatch=dispatch, municipality_id=municipality_id)
