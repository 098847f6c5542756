from django.urls import include, path

from .views import effect

app_name = "elip"

urlpatterns = [
    path("brief/", include("elip.urls_brief")),
    path("personen/", include("elip.urls_persons")),
    path("downloaden/", include("elip.urls_downloads")),
    path("effect/", effect.effect, name="effect"),
    path("samenvatting/", include("elip.urls_digest")),
    path("keurmerk/", include("elip.urls_quality_mark")),
    path("werkvoorraad/", include("elip.urls_worklist")),
]
