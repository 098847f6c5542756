"""Celery tasks of the weekly run. Thin: they compute what the service needs and call it.

The beat schedule (Wednesday 06:00 Europe/Amsterdam) is ``CELERY_BEAT_SCHEDULE["elip-weekly-run"]``
in pib/settings.py; see docs/weekly-run.md.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from letters.models import Letter, RenderStatus

from .models import SelectionRun

logger = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BUNDLE_WAIT_SECONDS = 15
BUNDLE_MAX_WAITS = 480  # 2 hours; then bundle what is rendered (a lost render must not block the bundle forever)


def today_in_amsterdam() -> dt.date:
    return timezone.localdate(timezone=AMSTERDAM)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def weekly_run() -> int:
    """The scheduled run for today (Europe/Amsterdam). Safe to redeliver: the service resumes or does nothing."""
    from .services.weekly_run import weekly_run as run_service

    return run_service(run_date=today_in_amsterdam()).pk


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=BUNDLE_MAX_WAITS + 1)
def build_run_bundles(self, run_id: int) -> None:
    """Once no letter of the run waits for rendering, build the bundles (one PDF per municipality).

    Queued by the run after its last batch commits. Render tasks may still be busy on other workers,
    so this task re-queues itself until they are done. ``letters.services.bundles_build`` is
    idempotent, so a redelivery is harmless. Letters whose rendering failed for good are left out
    by LETTERS' bundling and stay visible in admin.
    """
    from letters.services import bundles_build

    run = SelectionRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    pending = Letter.objects.filter(run=run, render_status=RenderStatus.PENDING).count()
    if pending and not self.request.is_eager and self.request.retries < BUNDLE_MAX_WAITS:
        logger.info("ELIP-run %s: %d letters still to render, bundles later", run.run_date, pending)
        raise self.retry(countdown=BUNDLE_WAIT_SECONDS)
    bundles_build(run=run)
