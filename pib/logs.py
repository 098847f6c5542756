"""Logging: one line per event, JSON in production (``LOG_FORMAT=json``), readable text otherwise.

Guarantees:

* Every log line, from structlog or from any stdlib logger (Django, Celery, WeasyPrint, ours),
  goes through ``pib.scrub``: no elfproef-valid nine-digit number and no name field reaches the
  output (tests/pib/test_logging.py).
* In a request, every line carries ``request_id`` (from ``X-Request-ID`` or a new UUID) and
  ``user_id`` (django-structlog's RequestMiddleware); a Celery task queued in that request logs with
  the same ``request_id`` and its own ``task_id`` (django-structlog's Celery receivers:
  the context travels in the task's headers).
"""

from __future__ import annotations

import structlog

SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(level: str = "INFO", fmt: str = "plain") -> dict:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": [*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    _scrub,
                    renderer,
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # WeasyPrint logs every rendering step at INFO; fontTools every subset.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            "pikepdf": {"level": "WARNING"},
            # django-structlog's request_started/finished: one line each per request.
            "django_structlog": {"level": level},
        },
    }


def _scrub(logger, method_name, event_dict):
    from .scrub import structlog_processor

    return structlog_processor(logger, method_name, event_dict)


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
