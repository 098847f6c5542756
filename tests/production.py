"""The production path on loopback, shared by the serving test (tests/pib/test_production_serving.py)
and the load test (tests/bench/load.py, tests/test_load.py): the app services' environment from
docker-compose.yml, ``collectstatic`` and ``migrate`` as the image and the web service run them, and
gunicorn as the web service starts it. Requests reach it as Caddy forwards them: ``Host`` is the site
address and ``X-Forwarded-Proto: https`` (``SECURE_SSL_REDIRECT`` and ``BEHIND_TLS_PROXY`` are on).

No Django import here: the load test's driver uses it before any settings are chosen.
"""

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HOST = "elip.example.nl"
# What DEBUG-off processes accept (pib/keys.py): long and varied, not the committed demo keys.
SECRET_KEY = "production-test-secret-key-7f3a9c2e1b5d8f0a4c6e2b9d1f7a3c5e"
READLOG_KEY = "production-test-readlog-key-2b8e4d0f6a1c7e3b9d5f2a8c4e0b6d1f"


def compose_environment() -> dict[str, str]:
    """The app services' environment from docker-compose.yml, its ${...} filled in for this machine."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    values = {
        "POSTGRES_PASSWORD": "unused",
        "SECRET_KEY": SECRET_KEY,
        "READLOG_KEY": READLOG_KEY,
        "SITE_ADDRESS": HOST,
    }

    def fill(text):
        return re.sub(r"\$\{(\w+)(?:[:?-][^}]*)?\}", lambda m: values.get(m.group(1), ""), str(text))

    return {key: fill(value) for key, value in environment.items()}


def compose_workers() -> int:
    """gunicorn's ``--workers`` in docker-compose.yml's web command."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return int(re.search(r"--workers (\d+)", compose["services"]["web"]["command"]).group(1))


def production_environment(*, database_url: str, redis_url: str, media_root, static_root) -> dict[str, str]:
    """This process's environment less its Django choices, plus the compose environment, pointed at
    ``database_url`` and ``redis_url`` on this machine."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(compose_environment())
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(media_root),
            "STATIC_ROOT": str(static_root),
        }
    )
    assert env["SECURE_SSL_REDIRECT"] == "true" and env["BEHIND_TLS_PROXY"] == "true"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def collect_static(env: dict[str, str]) -> None:
    """``collectstatic`` as the Dockerfile runs it: hashed names, gzip and brotli copies."""
    manage(env, "collectstatic", "--noinput", "-v0")


def prepare(env: dict[str, str]) -> None:
    """``collectstatic`` (the Dockerfile) and ``migrate`` (the web service's command)."""
    collect_static(env)
    manage(env, "migrate", "--noinput", "-v0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, log_path, timeout: float = 60):
    """gunicorn serving ``pib.wsgi`` as the web service runs it (access log included) on a free
    loopback port with ``workers`` processes; yields the port once it accepts connections and stops it
    (SIGTERM, then waits) on the way out."""
    port = free_port()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "pib.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not start; see {log_path}") from None
                    time.sleep(0.3)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
