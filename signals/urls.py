from django.urls import path

from . import views

app_name = "signals"

urlpatterns = [
    path("", views.search, name="search"),
    path("download/", views.download_all, name="download_all"),
    path("resultaten/<str:search_id>/", views.results, name="results"),
    path("resultaten/<str:search_id>/download/", views.download_search, name="download_search"),
    path("contactpersoon/<uuid:public_id>/", views.contact_person, name="contact_person"),
]
