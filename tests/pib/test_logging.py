"""JSON log lines with request_id and user_id, carried into Celery tasks, never a BSN (pib/logs.py).

The processes run with the project's settings and ``LOG_FORMAT=json`` (as docker-compose.yml sets
it); their stderr is parsed line by line: every line must be a JSON object.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BSN = "111222333"  # elfproef-valid


def json_lines(text: str) -> list[dict]:
    lines = []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw or not raw.startswith("{"):
            continue
        try:
            lines.append(json.loads(raw))
        except ValueError:  # a line the worker is still writing
            continue
    return lines


def project_env(**extra) -> dict:
    dropped = {"DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"DJANGO_SETTINGS_MODULE": "pib.settings", "LOG_FORMAT": "json", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


@pytest.mark.django_db(transaction=True)
def test_a_request_logs_json_with_request_id_and_user_id_and_no_bsn(tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from tests.workers import database_url

    code = f"""
import logging
from django.test import Client
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user("logtest-{uuid.uuid4().hex[:6]}", password="x" * 16)
client = Client()
client.force_login(user)
client.get("/gemeente-kiezen/?bsn={BSN}&q=1234.56.782", HTTP_X_REQUEST_ID="req-4c1d")
logging.getLogger("elip").warning("lookup of %s failed", "{BSN}")
print("USER", user.pk)
"""
    env = project_env(DATABASE_URL=database_url(connection.settings_dict), MEDIA_ROOT=str(tmp_path))
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    user_id = int(done.stdout.split("USER")[-1].strip())
    assert BSN not in done.stderr and "1234.56.782" not in done.stderr
    lines = json_lines(done.stderr)
    started = [line for line in lines if line.get("event") == "request_started"]
    assert started, done.stderr
    assert started[0]["request_id"] == "req-4c1d" and started[0]["user_id"] == user_id
    assert "[bsn]" in started[0]["request"]
    assert "ip" not in started[0]
    assert any(line.get("event") == "lookup of [bsn] failed" and line["level"] == "warning" for line in lines)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_request_logs_with_that_request_id(tmp_path):
    """A real worker (JSON logs) runs a task queued by a process with a bound request_id."""
    from django.db import connection

    redis_url = os.environ.get("REDIS_URL", "")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("needs PostgreSQL and Redis")
    from tests.workers import clear_celery_keys, database_url

    clear_celery_keys(redis_url)
    env = project_env(
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        MEDIA_ROOT=str(tmp_path),
    )
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pib", "worker", "--pool=solo", f"--hostname=log-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        publish = (
            "import structlog;"
            f"structlog.contextvars.bind_contextvars(request_id='{request_id}', user_id=42);"
            "from signals.tasks import apply_retention; print('TASK', apply_retention.delay().id)"
        )
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", publish], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        task_id = done.stdout.split("TASK")[-1].strip()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            ended = [
                line
                for line in json_lines(log_path.read_text(errors="replace"))
                if line.get("task_id") == task_id and line.get("event") in ("task_succeeded", "task_failed")
            ]
            if ended:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    lines = json_lines(log_path.read_text(errors="replace"))
    # Only this task's lines: a message another test left in the broker would carry its own context.
    task_lines = [line for line in lines if line.get("task_id") == task_id]
    assert task_lines, log_path.read_text(errors="replace")[-3000:]
    assert any(line.get("event") == "task_succeeded" for line in task_lines)
    assert all(line.get("request_id") == request_id for line in task_lines)
    assert all(line.get("user_id") == 42 for line in task_lines)
