"""Daily housekeeping (``CELERY_BEAT_SCHEDULE["clear-sessions"]``): delete expired session rows."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_sessions():
    call_command("clearsessions")
