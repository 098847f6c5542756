from django.urls import include, path

app_name = "elip"

urlpatterns = [
    path("brief/", include("elip.urls_brief")),
    path("personen/", include("elip.urls_persons")),
    path("downloaden/", include("elip.urls_downloads")),
    path("samenvatting/", include("elip.urls_digest")),
]
