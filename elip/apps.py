from django.apps import AppConfig


class ElipConfig(AppConfig):
    name = "elip"
    verbose_name = "ELIP"

    def ready(self):
        """The start screen (pib, a lower layer) shows elip's notices through pib's small registry."""
        from pib.start_notices import register

        from .notices import start_notices

        register(start_notices)
