"""The SSO routes with hostile input (no provider needed: nothing here reaches one, or the one
configured is unreachable): a Dutch page, nobody signed in, never a 500. The full flow against a
real provider is in tests/oidc/."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DEAD = "http://127.0.0.1:9"  # discard port: connection refused
HOSTILE = [
    {},
    {"state": "abc"},
    {"code": "abc"},
    {"code": "abc", "state": "onbekend"},
    {"code": "x" * 5000, "state": "y" * 5000},
    {"code": "a\x00b", "state": "<script>alert(1)</script>"},
    {"error": "access_denied", "state": "onbekend"},
    {"error": "x" * 3000},
]


@pytest.fixture
def sso(settings):
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.PortalOIDCBackend"]
    settings.OIDC_RP_CLIENT_ID = "elip-portal"
    settings.OIDC_RP_CLIENT_SECRET = "geheim"
    settings.OIDC_OP_ISSUER = DEAD
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS", "LOGOUT"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"{DEAD}/{name.lower()}")


def test_sso_routes_are_404_when_sso_is_off():
    client = Client()
    assert client.get("/inloggen/organisatie/").status_code == 404
    assert client.get("/inloggen/organisatie/terug/?code=a&state=b").status_code == 404
    assert "Inloggen via uw organisatie" not in client.get("/inloggen/").content.decode()


def test_sso_start_redirects_with_state_nonce_and_pkce(sso):
    client = Client()
    assert "Inloggen via uw organisatie" in client.get("/inloggen/").content.decode()
    response = client.get("/inloggen/organisatie/")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(f"{DEAD}/authorization?")
    assert {"state", "nonce", "code_challenge"} <= set(query)
    assert query["redirect_uri"] == ["http://testserver/inloggen/organisatie/terug/"]


@pytest.mark.parametrize("params", HOSTILE)
def test_hostile_callbacks_end_on_a_dutch_page(sso, params):
    client = Client(raise_request_exception=False)
    response = client.get("/inloggen/organisatie/terug/", params)
    assert response.status_code in (400, 403)
    assert "Inloggen via uw organisatie is niet gelukt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_callback_with_a_known_state_but_an_unreachable_provider(sso):
    client = Client(raise_request_exception=False)
    client.get("/inloggen/organisatie/")
    state = next(iter(client.session["oidc_states"]))
    response = client.get("/inloggen/organisatie/terug/", {"code": "abc", "state": state})
    assert response.status_code == 400
    assert "Inloggen via uw organisatie is niet gelukt" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post("/inloggen/organisatie/terug/").status_code == 405
