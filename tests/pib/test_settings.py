import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env):
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_embedded_defaults_use_sqlite_in_var_and_run_celery_in_process():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    result = run_manage("shell", "-c", code, env={})
    assert result.returncode == 0, result.stderr
    engine, name, eager, language, tz = result.stdout.split()[-5:]
    assert engine == "django.db.backends.sqlite3" and name.endswith("var/elip.sqlite3")
    assert eager == "True" and language == "nl" and tz == "Europe/Amsterdam"


def test_production_settings_pass_the_deploy_check():
    env = {
        "SECRET_KEY": "x" * 20 + "production-secret-with-enough-entropy-7f3a9c2e1b",
        "ALLOWED_HOSTS": "elip.example.nl",
        "SECURE_COOKIES": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/elip_unused",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
