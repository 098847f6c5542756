"""Celery tasks of the weekly run and its e-mail digest. Thin: they take ids and call a service.

The beat schedule (Wednesday 06:00 Europe/Amsterdam) is ``CELERY_BEAT_SCHEDULE["elip-weekly-run"]``
in pib/settings.py; see docs/weekly-run.md. The service never imports this module (no cycle); the
letter PDFs and the bundles are made by the letters app's render tasks that the run queues.

When a run is done, ``digests_after_run`` queues ``send_weekly_digests`` (docs/digest.md): one task
per subscribed user, each idempotent per user and run. The digest never runs inside the run: a mail
that fails is retried by its own task and cannot stop, undo or delay the run.
"""

import datetime as dt
import logging
import smtplib
from zoneinfo import ZoneInfo

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .constants import RunStatus
from .models import SelectionRun
from .selectors import digest_recipients
from .services.digest import digest_send
from .services.weekly_run import weekly_run as run_service

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DIGEST_RETRIES = 5
DIGEST_RETRY_SECONDS = 600
logger = logging.getLogger(__name__)


def today_in_amsterdam() -> dt.date:
    return timezone.localdate(timezone=AMSTERDAM)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def weekly_run() -> int:
    """The scheduled run for today (Europe/Amsterdam). Safe to redeliver: the service resumes or does nothing."""
    run = run_service(run_date=today_in_amsterdam())
    digests_after_run(run)
    run_follow_ups(run)
    return run.pk


def run_follow_ups(run) -> None:
    """Queue the tasks named in ``settings.ELIP_RUN_FOLLOW_UP_TASKS`` (e.g. the control room's alert
    evaluation) after the run: configured by name, so this app never imports the apps above it."""
    # Autodiscovery (pib/celery.py) is lazy: a worker runs it at start, any other process (manage.py,
    # a test calling the task) only here. Without it the lookup fails with NotRegistered.
    current_app.loader.import_default_modules()
    for name in settings.ELIP_RUN_FOLLOW_UP_TASKS:
        task = current_app.tasks[name]
        transaction.on_commit(lambda task=task: task.delay(run_date=run.run_date.isoformat()))


def digests_after_run(run: SelectionRun) -> None:
    """Queue the digests of a finished run (the beat task and ``manage.py elip_run`` call it). Never
    raises: the run is committed and done whatever happens to its mails."""
    if run.status != RunStatus.DONE:
        return
    try:
        send_weekly_digests.delay(run.pk)
    except Exception:  # the broker is down, or (no broker) the in-process task failed: the run stands
        logger.exception("weekly digest of run %s not queued", run.run_date)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_weekly_digests(run_id: int) -> int:
    """One ``send_digest`` task per subscribed user; only for the newest finished run (a late
    redelivery of an older run's task sends nothing). Returns the number of tasks queued."""
    run = SelectionRun.objects.filter(pk=run_id, status=RunStatus.DONE).first()
    if run is None or SelectionRun.objects.filter(run_date__gt=run.run_date).exists():
        return 0
    queued = 0
    for user_id in digest_recipients(run).values_list("pk", flat=True):
        try:
            send_digest.delay(run.pk, user_id)
            queued += 1
        except Exception:  # without a broker the task runs here: one user's failure stops no one else
            logger.exception("weekly digest of run %s for user %s failed", run.run_date, user_id)
    return queued


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    max_retries=DIGEST_RETRIES,
    default_retry_delay=DIGEST_RETRY_SECONDS,
)
def send_digest(run_id: int, user_id: int) -> bool:
    """One user's digest of one run; a failed send is retried (every 10 minutes, 5 times), a
    repeated task sends nothing twice (``digest_send``)."""
    return digest_send(run_id=run_id, user_id=user_id)
