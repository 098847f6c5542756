"""System check: no production portal on a demo or weak key (see ``pib.keys``).

Registered without the ``deploy`` tag, so ``check``, ``runserver`` and ``migrate`` fail on it;
``pib.wsgi`` calls ``assert_production_keys`` because gunicorn runs no system checks."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .keys import production_key_errors


def _errors() -> list[str]:
    return production_key_errors(
        debug=settings.DEBUG,
        secret_key=settings.SECRET_KEY,
        readlog_key=getattr(settings, "READLOG_KEY", ""),
    )


@register("security")
def check_keys(app_configs=None, **kwargs):
    return [Error(text, id=f"pib.E00{i}") for i, text in enumerate(_errors(), start=1)]


def assert_production_keys() -> None:
    errors = _errors()
    if errors:
        raise ImproperlyConfigured(" ".join(errors))
