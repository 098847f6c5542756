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
        "READLOG_KEY": "y" * 20 + "readlog-hmac-key-with-enough-entropy-2b8e4d1f6a",
        "ALLOWED_HOSTS": "elip.example.nl",
        "SECURE_COOKIES": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/elip_unused",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


# --- issue 11: no production portal on a demo or weak key ---------------------------------------

STRONG = "k" * 20 + "production-secret-with-enough-entropy-7f3a9c2e1b"
STRONG_READLOG = "r" * 20 + "readlog-hmac-key-with-enough-entropy-2b8e4d1f6a"


def _prod(**overrides):
    env = {"DEBUG": "false", "SECRET_KEY": STRONG, "READLOG_KEY": STRONG_READLOG, "ALLOWED_HOSTS": "elip.example.nl"}
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_check_refuses_to_start_without_keys_and_debug_off():
    result = run_manage("check", env=_prod(SECRET_KEY=None, READLOG_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY is de openbare demo-sleutel" in result.stderr
    assert "READLOG_KEY is de openbare demo-sleutel" in result.stderr


def test_check_refuses_weak_and_shared_keys():
    weak = run_manage("check", env=_prod(SECRET_KEY="geheim"))
    assert weak.returncode != 0 and "SECRET_KEY is te zwak" in weak.stderr
    insecure = run_manage("check", env=_prod(SECRET_KEY="django-insecure-" + "a1b2c3d4e5" * 5))
    assert insecure.returncode != 0 and "django-insecure" in insecure.stderr
    shared = run_manage("check", env=_prod(READLOG_KEY=STRONG))
    assert shared.returncode != 0 and "zijn gelijk" in shared.stderr


def test_runserver_refuses_the_demo_key():
    result = run_manage("runserver", "--noreload", "127.0.0.1:1", env=_prod(SECRET_KEY=None))
    assert result.returncode != 0 and "pib.E001" in result.stderr


def test_the_wsgi_application_refuses_the_demo_key():
    """gunicorn imports pib.wsgi and runs no system checks: the import itself must fail."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "READLOG_KEY"}}
    for env, ok in ((_prod(SECRET_KEY=None), False), (_prod(), True)):
        result = subprocess.run(
            [sys.executable, "-c", "import pib.wsgi"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
        )
        assert (result.returncode == 0) is ok, result.stderr[-2000:]
        if not ok:
            assert "ImproperlyConfigured" in result.stderr


def test_strong_keys_and_debug_on_pass_the_check():
    assert run_manage("check", env=_prod()).returncode == 0
    assert run_manage("check", env={"DEBUG": "true"}).returncode == 0
