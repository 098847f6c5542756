"""Health and metrics for operators and load balancers (django-health-check's checks).

Guarantees:

* ``/gezondheid/`` (GET and HEAD, no login, never cached) answers 200 only when every check
  passes: the database answers, every migration is applied, the media storage can write, read and
  delete a file, the broker (Redis) answers, a Celery worker answers a ping, and the last weekly
  run is not overdue. Otherwise 503, so a load balancer takes the node out. The body is JSON with
  each check's name and OK/fout; the error texts only for staff or with the operator token.
  Without a broker (the embedded demo: tasks in-process) the broker and worker checks are left out.
* ``/gezondheid/live/``: the process and its database only (the container healthcheck: a worker
  that is down must not make the web container restart).
* ``/gezondheid/metrics/``: the weekly run's figures in the Prometheus text format, for staff
  users or with ``Authorization: Bearer <METRICS_TOKEN>``; anybody else gets a 404.
* No check reads or shows a person's data.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hmac
import inspect
import logging
from zoneinfo import ZoneInfo

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.exceptions import HealthCheckException, ServiceUnavailable

from pib.celery import app

from .constants import RunStatus
from .metrics import prometheus_text
from .models import SelectionRun

logger = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The weekly run's beat schedule (CELERY_BEAT_SCHEDULE["elip-weekly-run"]: Wednesday 06:00
# Europe/Amsterdam); tests/elip/test_health.py keeps both in step.
RUN_WEEKDAY = 2  # Monday = 0
RUN_HOUR = 6


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration on disk is applied to the database."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self):
        executor = MigrationExecutor(connections[self.alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migratie(s) niet toegepast")


def last_due_run(now: dt.datetime, grace: dt.timedelta) -> dt.datetime:
    """The latest scheduled run time (Wednesday 06:00 Amsterdam) whose grace period has passed."""
    local = now.astimezone(AMSTERDAM)
    day = local.date() - dt.timedelta(days=(local.weekday() - RUN_WEEKDAY) % 7)
    while True:
        due = dt.datetime.combine(day, dt.time(RUN_HOUR), tzinfo=AMSTERDAM)
        if due + grace <= local:
            return due
        day -= dt.timedelta(days=7)


@dataclasses.dataclass
class WeeklyRunNotOverdue(HealthCheck):
    """The ISO week of the last scheduled run (its grace period passed) has a finished run.

    A database without any run (a fresh installation) passes: nothing was due yet for it.
    """

    grace_hours: int = 6
    now: dt.datetime | None = dataclasses.field(default=None, repr=False)  # tests pin the clock here

    def run(self):
        first = SelectionRun.objects.order_by("run_date").first()
        if first is None:
            return
        due = last_due_run(self.now or timezone.now(), dt.timedelta(hours=self.grace_hours))
        if due.date() < first.run_date:
            return
        iso_year, iso_week, _ = due.date().isocalendar()
        run = SelectionRun.objects.filter(iso_year=iso_year, iso_week=iso_week).first()
        if run is None:
            raise ServiceUnavailable(f"wekelijkse run van week {iso_week}-{iso_year} ontbreekt")
        if run.status != RunStatus.DONE:
            raise ServiceUnavailable(f"wekelijkse run van week {iso_week}-{iso_year} is niet voltooid")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker (Redis) answers a PING."""

    url: str = dataclasses.field(default="", repr=False)

    def run(self):
        client = redis.Redis.from_url(self.url, socket_timeout=3, socket_connect_timeout=3)
        try:
            client.ping()
        except redis.RedisError as error:
            raise ServiceUnavailable("Redis antwoordt niet") from error
        finally:
            client.close()


@dataclasses.dataclass
class WorkerPing(HealthCheck):
    """At least one Celery worker answers a ping within two seconds."""

    def run(self):
        try:
            replies = app.control.ping(timeout=2.0, limit=1)
        except OSError as error:
            raise ServiceUnavailable("broker onbereikbaar") from error
        if not replies:
            raise ServiceUnavailable("geen Celery-worker antwoordt")


def readiness_checks() -> dict[str, HealthCheck]:
    checks: dict[str, HealthCheck] = {
        "database": Database(),
        "migraties": MigrationsApplied(),
        "opslag": Storage(),
        "wekelijkse_run": WeeklyRunNotOverdue(grace_hours=settings.WEEKLY_RUN_GRACE_HOURS),
    }
    if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = Broker(url=settings.REDIS_URL)
        checks["worker"] = WorkerPing()
    return checks


def run_checks(checks: dict[str, HealthCheck]) -> dict[str, str | None]:
    """Runs each check in this thread; {name: None (OK) or the error text}."""
    results: dict[str, str | None] = {}
    for name, check in checks.items():
        try:
            outcome = check.run()
            if inspect.isawaitable(outcome):
                asyncio.run(asyncio.wait_for(outcome, check.timeout.total_seconds()))
            results[name] = None
        except HealthCheckException as error:
            results[name] = str(error.message) if hasattr(error, "message") else str(error)
        except Exception:  # a crash in a probe is a failed probe, never a 500
            logger.exception("health check %s crashed", name)
            results[name] = "onverwachte fout"
    return results


def operator_allowed(request) -> bool:
    """Staff users, or a request carrying the operator token (METRICS_TOKEN)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _answer(request, checks: dict[str, HealthCheck]) -> JsonResponse:
    results = run_checks(checks)
    healthy = all(error is None for error in results.values())
    detail = operator_allowed(request)
    body = {
        "status": "ok" if healthy else "fout",
        "checks": {name: ("OK" if error is None else (error if detail else "fout")) for name, error in results.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_safe
def health(request):
    return _answer(request, readiness_checks())


@never_cache
@require_safe
def health_live(request):
    return _answer(request, {"database": Database()})


@never_cache
@require_safe
def metrics(request):
    if not operator_allowed(request):
        raise Http404
    return HttpResponse(prometheus_text(), content_type="text/plain; version=0.0.4; charset=utf-8")


# Public on purpose (load balancers, container probes): the authorization walk knows these names.
health.public_probe = health_live.public_probe = metrics.public_probe = True
