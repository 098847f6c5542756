from django.apps import AppConfig


class MijnDuoConfig(AppConfig):
    name = "mijnduo"
    verbose_name = "Mijn DUO-beheer (gemeenten)"
