"""/beheer/controlekamer/ (included by pib/urls.py before the admin's catch-all). Every view is
wrapped in controlroom.access.controlroom_view; tests/controlroom/test_access.py walks these patterns."""

from django.urls import path

from . import views

app_name = "controlroom"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/", views.runs, name="runs"),
    path("runs/<str:run_date>/", views.run_detail, name="run_detail"),
    path("runs/<str:run_date>/pdf-opnieuw/", views.rerender, name="rerender"),
    path("runs/<str:run_date>/pdf-opnieuw/<str:code>/", views.rerender, name="rerender_municipality"),
    path("runs/<str:run_date>/bundel-opnieuw/<str:code>/", views.rebuild, name="rebuild_bundle"),
    path("meldingen/", views.alerts, name="alerts"),
    path("meldingen/<int:pk>/gezien/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("acties/", views.actions, name="actions"),
]
