"""Test settings: the project's settings, with Celery in-process and fast password hashing.

Integration tests that need a real worker start one themselves (with the project's settings).
"""

import tempfile

from pib.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="elip-test-media-")

# No collectstatic before tests: plain static names, WhiteNoise looks files up through the finders.
# tests/pib/test_production_serving.py runs gunicorn on the real (manifest) storage.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
