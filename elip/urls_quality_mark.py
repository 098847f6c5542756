"""Quality-mark notice, mounted at /elip/keurmerk/ (namespace "elip"); docs/quality-mark-notice.md."""

from django.urls import path

from .views import quality_mark

urlpatterns = [
    path("<int:loss_id>/gezien/", quality_mark.acknowledge, name="quality_mark_acknowledge"),
]
