"""Single sign-on against a real OpenID Provider (node-oidc-provider on loopback), driven by
Debian's chromium: redirect, the provider's login and consent, the callback; plus a tampered
state, a wrong nonce, an expired ID token and a user without a role."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model

from accounts.models import PortalSession
from pib.constants import Role
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.pib.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAILED = "Inloggen via uw organisatie is niet gelukt"
NO_ROLE = "u hebt geen rol in de Portal Inburgering"


def at_provider(page, login_name):
    """From the portal's login page through the provider's login and consent screens."""
    page.goto("/inloggen/")
    page.click("a.utrecht-button-link:has-text('Inloggen via uw organisatie')")
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login_name)
    page.fill("input[name=password]", "wat-dan-ook")
    page.click("button:has-text('Sign-in')")
    page.wait_for_selector("button:has-text('Continue')")


def consent(page):
    page.click("button:has-text('Continue')")
    page.wait_for_load_state()


def rewrite_query(url, **changes):
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_sso_sign_in_with_role_and_logout_ends_the_provider_session(browser_page, oidc_provider):
    page = browser_page
    UserFactory(username="anna", roles={"GM0014": [Role.ELIP_PERSONS]})
    at_provider(page, "anna")
    consent(page)
    assert urlsplit(page.url).path == "/"
    assert page.locator("h1").inner_text() == "Inburgering"
    assert "Anna de Vries" in page.content()  # names from the claims
    user = get_user_model().objects.get(username="anna")
    assert user.email == "anna@gemeente.example.nl"
    assert PortalSession.objects.filter(user_id=user.pk).count() == 1
    # Logout: the portal session ends, then the provider's (its own confirmation screen).
    page.click("button:has-text('Uitloggen')")
    page.click("button:has-text('Yes, sign me out')")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/inloggen/"
    assert not PortalSession.objects.filter(user_id=user.pk).exists()
    # The provider forgot the session: signing in again asks for the login again.
    page.click("a.utrecht-button-link:has-text('Inloggen via uw organisatie')")
    page.wait_for_selector("input[name=login]")


def test_a_user_without_a_role_gets_a_dutch_explanation_and_no_access(browser_page, oidc_provider):
    page = browser_page
    UserFactory(username="zonderrol", roles={})
    # ORG-ONBEKEND maps to no municipality; and the user holds no role anywhere
    at_provider(page, "zonderrol")
    consent(page)
    text = page.content()
    assert "Uw organisatie geeft geen toegang" in text or NO_ROLE in text
    assert "_auth_user_id" not in str([s.get_decoded() for s in PortalSession.objects.all()])
    assert_no_axe_violations(page)
    assert page.goto("/").url.endswith("/inloggen/?next=/")


def test_a_new_user_of_a_known_organisation_without_portal_role_is_refused(browser_page, oidc_provider):
    page = browser_page
    at_provider(page, "nieuw")  # ORG-GRONINGEN → GM0014, but no role there: roles stay in the portal
    consent(page)
    assert "Uw organisatie geeft geen toegang" in page.content()
    screenshot(page, "sso-geen-rol")
    assert get_user_model().objects.filter(username="nieuw").exists()  # created, ready for a role
    assert page.goto("/").url.endswith("/inloggen/?next=/")


def test_grant_mode_gives_the_configured_roles_for_the_claimed_municipality(browser_page, oidc_provider, settings):
    settings.OIDC_ROLE_MODE = "grant"
    settings.OIDC_GRANT_ROLES = [Role.ELIP_LETTER]
    page = browser_page
    at_provider(page, "nieuw")
    consent(page)
    assert page.locator("h1").inner_text() == "Inburgering"
    assert "Beheren ELIP brief" in page.content()


def tamper_authorization_request(page, **changes):
    """Rewrites parameters of the portal's redirect to the provider (as an attacker in the middle
    would): the portal's answer is fetched, its Location changed, and handed to the browser."""

    def handle(route):
        response = route.fetch(max_redirects=0)
        headers = {**response.headers, "location": rewrite_query(response.headers["location"], **changes)}
        route.fulfill(response=response, headers=headers)

    page.route("**/inloggen/organisatie/", handle)


def test_a_tampered_state_is_refused(browser_page, oidc_provider):
    page = browser_page
    UserFactory(username="anna", roles={"GM0014": [Role.ELIP_PERSONS]})
    tamper_authorization_request(page, state="vervalst-door-een-aanvaller")
    at_provider(page, "anna")
    consent(page)
    assert FAILED in page.content()
    assert page.goto("/").url.endswith("/inloggen/?next=/")


def test_a_wrong_nonce_is_refused(browser_page, oidc_provider):
    page = browser_page
    UserFactory(username="anna", roles={"GM0014": [Role.ELIP_PERSONS]})
    tamper_authorization_request(page, nonce="een-andere-nonce")
    at_provider(page, "anna")
    consent(page)
    assert FAILED in page.content()
    assert page.goto("/").url.endswith("/inloggen/?next=/")


def test_an_expired_id_token_is_refused(browser_page, oidc_provider, monkeypatch):
    import time

    import accounts.oidc

    # The provider issues the token now (valid 300 s); the portal's clock reads two hours later.
    monkeypatch.setattr(accounts.oidc, "now", lambda: time.time() + 7200)
    page = browser_page
    UserFactory(username="anna", roles={"GM0014": [Role.ELIP_PERSONS]})
    at_provider(page, "anna")
    consent(page)
    assert FAILED in page.content()
    screenshot(page, "sso-mislukt")
    assert page.goto("/").url.endswith("/inloggen/?next=/")
