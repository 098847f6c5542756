"""/beheer/controlekamer/ (included by pib/urls.py before the admin's catch-all). Every view is
wrapped in controlroom.access.controlroom_view; tests/controlroom/test_access.py walks these patterns."""

from django.urls import path

from . import views, views_policy

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
    # issue 15 points 2 and 3 (policy): criteria with four eyes, what-if, effect of the letters
    path("criteria/", views_policy.policy, name="policy"),
    path("criteria/<int:version>/wat-als/", views_policy.policy_whatif, name="policy_whatif"),
    path("criteria/<int:version>/goedkeuren/", views_policy.policy_approve, name="policy_approve"),
    path("effect/", views_policy.effect, name="effect"),
]
