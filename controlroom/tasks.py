"""Celery tasks of the control room (thin). The beat schedule runs ``evaluate_alerts`` on Wednesday
at 07:00 Europe/Amsterdam (``CELERY_BEAT_SCHEDULE["controlroom-alerts"]``); the weekly run's task
queues it after each run through ``settings.ELIP_RUN_FOLLOW_UP_TASKS`` (elip does not import this app)."""

from celery import shared_task

from .services import alerts_evaluate


@shared_task(name="controlroom.evaluate_alerts", acks_late=True, reject_on_worker_lost=True)
def evaluate_alerts(**_ignored) -> int:
    """Evaluate the alerts now and e-mail new ones; idempotent (one alert per key)."""
    return len(alerts_evaluate())
