"""Werkvoorraad, mounted at /elip/werkvoorraad/ (namespace "elip"). Filters, sort and page are the
only query parameters; no person data ever appears in these URLs."""

from django.urls import path

from .views import worklist

urlpatterns = [
    path("", worklist.worklist_view, name="worklist"),
    path("csv/", worklist.worklist_csv, name="worklist_csv"),
    path("regio/", worklist.worklist_region, name="worklist_region"),
    path("regio/csv/", worklist.worklist_region_csv, name="worklist_region_csv"),
]
