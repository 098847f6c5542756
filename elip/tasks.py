"""Celery tasks of the weekly run. Thin: they take what the service needs and call it.

The beat schedule (Wednesday 06:00 Europe/Amsterdam) is ``CELERY_BEAT_SCHEDULE["elip-weekly-run"]``
in pib/settings.py; see docs/weekly-run.md. The service never imports this module (no cycle); the
letter PDFs and the bundles are made by the letters app's render tasks that the run queues.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .services.weekly_run import weekly_run as run_service

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today_in_amsterdam() -> dt.date:
    return timezone.localdate(timezone=AMSTERDAM)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def weekly_run() -> int:
    """The scheduled run for today (Europe/Amsterdam). Safe to redeliver: the service resumes or does nothing."""
    run = run_service(run_date=today_in_amsterdam())
    run_follow_ups(run)
    return run.pk


def run_follow_ups(run) -> None:
    """Queue the tasks named in ``settings.ELIP_RUN_FOLLOW_UP_TASKS`` (e.g. the control room's alert
    evaluation) after the run: configured by name, so this app never imports the apps above it."""
    for name in settings.ELIP_RUN_FOLLOW_UP_TASKS:
        task = current_app.tasks[name]
        transaction.on_commit(lambda task=task: task.delay(run_date=run.run_date.isoformat()))
