"""The README's production path, followed from scratch: the environment of docker-compose.yml's app
services, ``collectstatic`` as the Dockerfile runs it, ``migrate`` and gunicorn as the web service
runs them, behind a TLS proxy (requests carry ``X-Forwarded-Proto: https`` as Caddy sends them).

Every static URL that the pages reference (login, second factor, start page, signals, ELIP persons,
Django admin index, and the ``url(...)`` references inside the CSS) answers 200 with a far-future
``Cache-Control``; the pages themselves answer 200 and are not cached. /gezondheid/live/ answers.
"""

import os
import re
import socket
import subprocess
import sys
import time
from html import unescape
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from django.contrib.auth import get_user_model

from accounts.services import issue_backup_codes
from pib.constants import Role
from tests.pib.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
HOST = "elip.example.nl"
PASSWORD = "geheim-wachtwoord-123"
ASSET = re.compile(r"""(?:href|src)=["']([^"']+)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def compose_environment() -> dict[str, str]:
    """The app services' environment from docker-compose.yml, its ${...} filled in for this machine."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    values = {
        "POSTGRES_PASSWORD": "unused",
        "SECRET_KEY": "production-test-secret-key-7f3a9c2e1b5d8f0a4c6e2b9d1f7a3c5e",
        "READLOG_KEY": "production-test-readlog-key-2b8e4d0f6a1c7e3b9d5f2a8c4e0b6d1f",
        "SITE_ADDRESS": HOST,
    }

    def fill(text):
        return re.sub(r"\$\{(\w+)(?:[:?-][^}]*)?\}", lambda m: values.get(m.group(1), ""), str(text))

    return {key: fill(value) for key, value in environment.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies (also Secure ones: the proxy spoke TLS), Host, HTTPS header."""

    def __init__(self, port):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, url, body=None, headers=None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, url, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        connection.close()
        return response, data


def assets_of(page_url: str, html: str) -> set[str]:
    found = set()
    for raw in ASSET.findall(html):
        url = urlsplit(urljoin(page_url, unescape(raw)))
        if url.path.startswith("/static/") and url.netloc in ("", HOST):
            found.add(url.path)
    return found


@pytest.fixture
def gunicorn(tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    from tests.elip.test_worker_integration import _database_url

    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(compose_environment())
    env.update(
        {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "REDIS_URL": os.environ["REDIS_URL"],
            "MEDIA_ROOT": str(tmp_path / "media"),
            "STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    assert env["SECURE_SSL_REDIRECT"] == "true" and env["BEHIND_TLS_PROXY"] == "true"
    manage = [sys.executable, "manage.py"]
    for step in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"]):
        done = subprocess.run(manage + step, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pib.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield Browser(port)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_production_path_serves_every_referenced_static_file(gunicorn, settings):
    browser = gunicorn
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # gunicorn's hasher
    UserFactory(username="productie", password=PASSWORD, roles={"GM0014": list(Role.values)})
    UserFactory(username="duo-beheer", password=PASSWORD, is_staff=True, is_superuser=True)

    # Plain HTTP (no proxy header) is redirected to HTTPS: SECURE_SSL_REDIRECT is on.
    response, _ = browser.request("GET", "/inloggen/", headers={"X-Forwarded-Proto": "http"})
    assert response.status == 301 and response.getheader("Location").startswith(f"https://{HOST}/")

    pages: dict[str, str] = {}

    def visit(url):
        response, data = browser.request("GET", url)
        assert response.status == 200, f"{url}: {response.status}"
        pages[url] = data.decode()
        return pages[url]

    def log_in(login_url, username, next_url):
        html = visit(login_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD}&next={next_url}"
        response, _ = browser.request(
            "POST",
            login_url,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://{HOST}{login_url}"},
        )
        assert response.status == 302, f"login {username}: {response.status}"
        # The second step: a backup code of the account (as DUO-beheer hands out), through the form.
        second = response.getheader("Location")
        assert second.startswith("/inloggen/tweede-stap/"), second
        code = issue_backup_codes(get_user_model().objects.get(username=username), 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', visit(second)).group(1)
        response, _ = browser.request(
            "POST",
            "/inloggen/tweede-stap/",
            body=f"csrfmiddlewaretoken={token}&token={code}&next={next_url}",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://{HOST}{second}"},
        )
        assert response.status == 302, f"second factor {username}: {response.status}"

    log_in("/inloggen/", "productie", "/")
    for url in ("/", "/signalen/", "/elip/personen/", "/elip/brief/"):
        visit(url)
    browser.cookies.clear()
    log_in("/inloggen/", "duo-beheer", "/beheer/")  # /beheer/login/ sends here
    visit("/beheer/")

    assets = set()
    for url, html in pages.items():
        assets |= assets_of(url, html)
    assert any("/static/css/portal." in a for a in assets) and any("/static/admin/css/base." in a for a in assets)
    checked = set()
    while assets:
        path = assets.pop()
        checked.add(path)
        response, data = browser.request("GET", path)
        assert response.status == 200, f"{path}: {response.status}"
        cache = response.getheader("Cache-Control", "")
        assert "max-age=" in cache, f"{path}: Cache-Control {cache!r}"
        # Hashed names (css/portal.0123abcd4567.css) are cached for a year or more, immutable.
        if re.search(r"\.[0-9a-f]{12}\.\w+$", path):
            assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 31536000 and "immutable" in cache
        if path.endswith(".css"):
            for ref in CSS_URL.findall(data.decode("utf-8", "replace")):
                if ref.startswith(("data:", "#")):
                    continue
                target = urlsplit(urljoin(path, ref)).path
                if target not in checked:
                    assets.add(target)
    assert len(checked) >= 8, checked

    # Compressed copies are served to browsers that accept them.
    portal_css = next(p for p in checked if "/static/css/portal." in p)
    response, _ = browser.request("GET", portal_css, headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"

    # Pages stay uncached; the container healthcheck's probe answers.
    response, _ = browser.request("GET", "/inloggen/")
    assert "no-store" in response.getheader("Cache-Control", "")
    response, data = browser.request("GET", "/gezondheid/live/")
    assert response.status == 200, data
