app_name = "elip"

urlpatterns: list = []
