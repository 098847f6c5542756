"""Real processes for the integration tests: the project's settings in a subprocess environment,
Celery workers and beat started and SIGKILLed, polling with a timeout instead of sleeping.

Used by tests/elip/test_faults.py (workers, beat, Redis and PostgreSQL faults) and by the tests
that run ``manage.py`` or a worker against the pytest database (``database_url``)."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The worker's Redis transport options, from the environment: a short visibility timeout lets a
# killed worker's unacknowledged batch come back within seconds (production: docs/weekly-run.md).
WORKER_BOOT = """
import os, sys
from pib.celery import app
app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "8")),
    "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.worker_main(sys.argv[1:])
"""


def database_url(settings_dict, **options) -> str:
    """The URL of the pytest database (for a subprocess); ``options`` become query parameters
    (e.g. ``application_name``, which the worker's connections then carry in pg_stat_activity)."""
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}" + (f"?{query}" if query else "")


def project_environment(*, database: str, redis_url: str, media_root, batch_size: int, **extra) -> dict:
    """The environment of a worker, beat or ``manage.py`` process: the project's own settings (not
    the test settings: tasks go to the broker), DEBUG off with fresh keys (pib.checks refuses the
    public demo keys)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pib.settings",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
        "LETTER_BATCH_SIZE": str(batch_size),
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "READLOG_KEY": secrets.token_urlsafe(50),
        **{k: str(v) for k, v in extra.items()},
    }


def clear_celery_keys(redis_url: str) -> None:
    """Empty the broker of what earlier tests left: the queue with its priority sub-queues
    (``celery\x06\x163`` …), and the unacked messages a killed worker would hand back."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = [*client.scan_iter(match="celery*"), "unacked", "unacked_index", "unacked_mutex"]
    client.delete(*keys)


def _spawn(args, env, log_path):
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the pool children with it
        )


def start_worker(env, name, log_path, *, concurrency=1, visibility_timeout=8):
    return _spawn(
        [
            sys.executable,
            "-c",
            WORKER_BOOT,
            "worker",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        {**env, "TEST_VISIBILITY_TIMEOUT": str(visibility_timeout)},
        log_path,
    )


def start_beat(env, log_path, schedule_path):
    """``celery -A pib beat`` with the project's CELERY_BEAT_SCHEDULE (intervals from ``env``)."""
    return _spawn(
        [sys.executable, "-m", "celery", "-A", "pib", "beat", f"--schedule={schedule_path}", "--loglevel=INFO"],
        env,
        log_path,
    )


def kill_group(proc, sig=signal.SIGKILL):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(*paths) -> str:
    return "\n".join(
        f"--- {p.name} ---\n{p.read_text(errors='replace')[-3000:]}" for p in map(Path, paths) if Path(p).exists()
    )


def wait_for(condition, timeout, what, *logs, progress=None):
    """Poll ``condition`` every 0.2 s. With ``progress`` (a function returning a number), ``timeout``
    is how long nothing may move: a loaded CI machine is slow, a stuck one fails."""
    deadline = time.monotonic() + timeout
    last = progress() if progress else None
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
        if progress:
            now = progress()
            if now != last:
                last, deadline = now, time.monotonic() + timeout
    pytest.fail(f"timed out waiting for {what} (no progress for {timeout} s)\n{log_tail(*logs)}")


def start_redis(port: int, workdir, log_path):
    """A redis-server of our own on ``port``: no persistence (``--save ""``, no AOF), so a restart
    starts empty, as a Redis without a volume or after a failover to an empty replica does."""
    import redis

    proc = _spawn(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        os.environ,
        log_path,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)

    def answers():
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    wait_for(answers, 30, f"redis-server on port {port}", log_path)
    return proc
