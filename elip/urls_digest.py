"""Wekelijkse samenvatting per e-mail, mounted at /elip/samenvatting/ (namespace "elip"); docs/digest.md."""

from django.urls import path

from .views import digest

urlpatterns = [
    path("", digest.digest_settings, name="digest_settings"),
    path("afmelden/<str:token>/", digest.digest_optout, name="digest_optout"),
]
