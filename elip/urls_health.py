"""/gezondheid/: health probes and the weekly run's metrics (see elip/health.py)."""

from django.urls import path

from . import health

urlpatterns = [
    path("", health.health, name="health"),
    path("live/", health.health_live, name="health_live"),
    path("metrics/", health.metrics, name="metrics"),
]
