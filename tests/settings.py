"""Test settings: the project's settings, with Celery in-process and fast password hashing.

Integration tests that need a real worker start one themselves (with the project's settings).
"""

import tempfile

from pib.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="elip-test-media-")
