from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.start, name="start"),
    path("", include("accounts.urls")),
    path("gemeente-kiezen/", views.choose_municipality_view, name="choose_municipality"),
    path("elip/", include("elip.urls")),
    path("signalen/", include("signals.urls")),
    path("mijn-duo/", include("mijnduo.urls")),
    # DUO's control room: its own screens in the admin's look, before the admin's catch-all.
    path("beheer/controlekamer/", include("controlroom.urls")),
    path("beheer/", admin.site.urls),
    path("gezondheid/", include("elip.urls_health")),
]

handler403 = "pib.views.forbidden"
handler404 = "pib.views.not_found"
handler500 = "pib.views.server_error"
