from django.apps import AppConfig


class PibConfig(AppConfig):
    name = "pib"
    verbose_name = "DUO-register inburgering"
