"""Downloaden bestanden, mounted at /elip/downloaden/ (namespace "elip"). Bundles are addressed by id;
which ids a municipality may download is decided by ``elip.selectors.downloadable_bundles``."""

from django.urls import path

from .views import downloads

urlpatterns = [
    path("", downloads.downloads, name="downloads"),
    path("<int:pk>/", downloads.bundle, name="download_bundle"),
]
