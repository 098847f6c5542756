"""The README's production path, followed from scratch: the environment of docker-compose.yml's app
services, ``collectstatic`` as the Dockerfile runs it, ``migrate`` and gunicorn as the web service
runs them, behind a TLS proxy (requests carry ``X-Forwarded-Proto: https`` as Caddy sends them).

Every static URL that the pages reference (login, second factor, start page, signals, ELIP persons,
Django admin index, and the ``url(...)`` references inside the CSS) answers 200 with a far-future
``Cache-Control``; the pages themselves answer 200 and are not cached. /gezondheid/live/ answers.
"""

import os
import re
from html import unescape
from http.client import HTTPConnection
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model

from accounts.services import issue_backup_codes
from pib.constants import Role
from tests.pib.factories import UserFactory
from tests.production import HOST, manage, production_environment
from tests.production import gunicorn as serve

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "geheim-wachtwoord-123"
ASSET = re.compile(r"""(?:href|src)=["']([^"']+)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


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
def gunicorn(tmp_path, production_static):
    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    from tests.workers import database_url

    env = production_environment(
        database_url=database_url(connection.settings_dict),
        redis_url=os.environ["REDIS_URL"],
        media_root=tmp_path / "media",
        static_root=production_static,
    )
    manage(env, "migrate", "--noinput", "-v0")
    with serve(env, workers=2, log_path=tmp_path / "gunicorn.log") as port:
        yield Browser(port)


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
