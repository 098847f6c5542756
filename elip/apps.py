from django.apps import AppConfig


class ElipConfig(AppConfig):
    name = "elip"
    verbose_name = "ELIP"
