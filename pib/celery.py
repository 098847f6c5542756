"""The Celery app. Workers log through Django's LOGGING (JSON lines, BSNs scrubbed: pib/logs.py)
instead of Celery's own root-logger set-up, and django-structlog binds the ``request_id`` of the
request that queued a task (carried in the task headers) to every line the task logs."""

import os

from celery import Celery
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")

app = Celery("pib")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def _django_logging(**kwargs):
    """Connected: Celery leaves the root logger alone; this applies settings.LOGGING instead."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
