app_name = "signals"

urlpatterns: list = []
