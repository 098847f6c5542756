from django.apps import AppConfig


class PibConfig(AppConfig):
    name = "pib"
    verbose_name = "DUO-register inburgering"

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the key check
            route_facts,
        )

        route_facts.connect()
