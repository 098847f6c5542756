"""Container health probes for docker-compose.yml (python only: the slim image has no curl).

``web``: GET /gezondheid/live/ on gunicorn as the proxy would send it (the public host name,
X-Forwarded-Proto: https), 200 expected. ``worker``: the local Celery worker answers a ping.
``beat``: the beat schedule file was written in the last 15 minutes (beat syncs it every few).
Exit status 0 = healthy.
"""

import glob
import http.client
import os
import socket
import subprocess
import sys
import time


def web() -> bool:
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
    connection = http.client.HTTPConnection("127.0.0.1", 8000, timeout=8)
    connection.request("GET", "/gezondheid/live/", headers={"Host": host, "X-Forwarded-Proto": "https"})
    return connection.getresponse().status == 200


def worker() -> bool:
    command = ["celery", "-A", "pib", "inspect", "ping", "--timeout", "5", "-d", f"celery@{socket.gethostname()}"]
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0  # noqa: S603


def beat() -> bool:
    files = glob.glob(os.environ.get("BEAT_SCHEDULE", "/tmp/celerybeat-schedule") + "*")  # noqa: S108
    return any(time.time() - os.path.getmtime(f) < 15 * 60 for f in files)


if __name__ == "__main__":
    probes = {"web": web, "worker": worker, "beat": beat}
    try:
        sys.exit(0 if probes[sys.argv[1]]() else 1)
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {error}", file=sys.stderr)
        sys.exit(1)
