"""``oidc_provider``: a real OpenID Provider for the SSO tests (tests/e2e/test_sso.py), namely
panva/node-oidc-provider (pinned in package.json and package-lock.json, installed with ``npm ci``),
started per test on a free loopback port, with the portal's live server as its only client. The
portal's OIDC settings point at it."""

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CLIENT_ID = "elip-portal"
CLIENT_SECRET = "test-geheim-van-de-portal-0123456789"
CALLBACK = "/inloggen/organisatie/terug/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oidc_provider(live_server, settings):
    if not (HERE / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True)
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            "node",
            "provider.mjs",
            str(port),
            f"{live_server.url}/inloggen/organisatie/terug/",
            f"{live_server.url}/inloggen/",
        ],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "NODE_ENV": "test"},
    )
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and not line.startswith("ready"):
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            pytest.fail("the OpenID Provider (node tests/oidc/provider.mjs) did not start")
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.PortalOIDCBackend"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile organisatie"
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{issuer}/session/end"
    settings.OIDC_ORGANISATION_CLAIM = "organisatie"
    settings.OIDC_ORGANISATION_MAP = {"ORG-GRONINGEN": "GM0014"}
    settings.OIDC_ROLE_MODE = "check"
    yield issuer
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
