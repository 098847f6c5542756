"""Browser tests: Playwright drives Debian's chromium (/usr/bin/chromium) headless against
Django's live server. Playwright's own browser download is never used.

Fixtures: ``browser_page`` (a fresh page), ``login(page, username)``; screenshots go to
tests/e2e/screenshots/ via ``screenshot(page, name)``.
"""

import os
from pathlib import Path

import pytest

from tests.oidc.fixtures import oidc_provider  # noqa: F401 - the real OpenID Provider (tests/e2e/test_sso.py)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "geheim-wachtwoord-123"  # tests.pib.factories.UserFactory's password
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make setup does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


SESSION_SCAN = {"rows": 0, "tests": 0}


def bsn_like_numbers(text: str) -> set[str]:
    """Nine-digit numbers in ``text`` that pass the elfproef (what a BSN looks like), standing
    alone: not inside a longer token such as the hex ``_auth_user_hash`` or a signed value, where
    a digit run passing the elfproef turns up by chance (about one session row in a hundred)."""
    import re

    from stdnum.nl import bsn

    return {m for m in re.findall(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])", text) if bsn.is_valid(m)}


@pytest.fixture(autouse=True)
def _no_bsn_in_any_session(request):
    """After every browser test (before its database is flushed): decode every session row and fail
    if any holds a nine-digit number passing the elfproef. A BSN never lives in a session."""
    yield
    if "live_server" not in request.fixturenames:
        return
    import json

    from accounts.models import PortalSession

    found = []
    for row in PortalSession.objects.all():
        data = json.dumps(row.get_decoded(), default=str)
        SESSION_SCAN["rows"] += 1
        found += sorted(bsn_like_numbers(data + row.session_data))
    SESSION_SCAN["tests"] += 1
    assert not found, f"a session holds BSN-like numbers: {found}"


def pytest_terminal_summary(terminalreporter):
    if SESSION_SCAN["tests"]:
        terminalreporter.write_line(
            f"[session scan] {SESSION_SCAN['rows']} session rows after {SESSION_SCAN['tests']} browser tests: "
            "scanned for elfproef-valid nine-digit numbers"
        )


@pytest.fixture
def browser_page(_browser, live_server):
    context = _browser.new_context(base_url=live_server.url, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login():
    """Both steps through the real forms: the password, then a fresh backup code (second factor)."""

    def _login(page, username, password=PASSWORD):
        from django.contrib.auth import get_user_model

        from accounts.services import issue_backup_codes

        page.goto("/inloggen/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if "/inloggen/tweede-stap/" in page.url or "/inloggen/authenticator-koppelen/" in page.url:
            code = issue_backup_codes(get_user_model().objects.get(username=username), 1)[0]
            if "/inloggen/authenticator-koppelen/" in page.url:
                page.goto(page.url.replace("/inloggen/authenticator-koppelen/", "/inloggen/tweede-stap/"))
            page.fill("#id_token", code)
            page.click("main button[type=submit]")
            page.wait_for_load_state()

    return _login


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
