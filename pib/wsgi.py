"""The WSGI application (gunicorn). It refuses to start on a demo or weak key with DEBUG off:
gunicorn runs no system checks, so the key check runs here (``pib.checks``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")
application = get_wsgi_application()

from pib.checks import assert_production_keys  # noqa: E402 - needs the settings loaded above

assert_production_keys()
