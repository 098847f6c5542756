"""Secure by construction: no inline script or style in any served template, CSRF on every POST form."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Letter templates are rendered to PDF by WeasyPrint, never served to a browser.
NOT_SERVED = {ROOT / "letters" / "templates"}


def served_templates():
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    for d in dirs:
        if d in NOT_SERVED:
            continue
        yield from sorted(d.rglob("*.html"))


TEMPLATES = list(served_templates())


def test_there_are_templates_to_check():
    assert len(TEMPLATES) >= 5


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_or_style(path):
    html = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert "src=" in tag, f"inline <script> in {path}"
    assert not re.search(r"<style\b", html, flags=re.I), f"<style> element in {path}"
    assert not re.search(r"\sstyle\s*=", html, flags=re.I), f"style= attribute in {path}"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"inline event handler in {path}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_post_form_carries_a_csrf_token(path):
    html = path.read_text()
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.I | re.S):
        if re.search(r"method=[\"']?post", form, flags=re.I):
            assert "{% csrf_token %}" in form, f"POST form without csrf_token in {path}"


def test_portal_pages_send_a_strict_content_security_policy(client, db):
    response = client.get("/inloggen/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
