"""Beheren ELIP brief (manual §3.3–3.6). Included under /elip/brief/ in the ``elip`` namespace."""

from django.urls import path

from elip.views import brief

urlpatterns = [
    path("", brief.brief, name="brief"),
    path("aanmelden/", brief.enrol, name="brief_enrol"),
    path("aanmelden/bevestigen/", brief.enrol_confirm, name="brief_enrol_confirm"),
    path("wijzigen/", brief.change, name="brief_change"),
    path("wijzigen/bevestigen/", brief.change_confirm, name="brief_change_confirm"),
    path("afmelden/", brief.withdraw, name="brief_withdraw"),
    path("voorbeeldbrief.pdf", brief.preview, name="brief_preview"),
]
