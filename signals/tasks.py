"""Scheduled work of the signals app (beat schedule in pib/settings.py: daily 02:30)."""

import logging

from celery import shared_task

from .services import signal_retention_apply

logger = logging.getLogger(__name__)


@shared_task(name="signals.tasks.apply_retention")
def apply_retention() -> dict:
    result = signal_retention_apply()
    logger.info("Signal retention: %s Afgehandeld and %s Nieuw deleted", result.done_deleted, result.new_deleted)
    return {"done_deleted": result.done_deleted, "new_deleted": result.new_deleted}
