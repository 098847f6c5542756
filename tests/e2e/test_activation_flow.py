"""Activation links the account (issue 13 point 4) in Chromium, axe on each portal page: with a
password the colleague couples the authenticator app at once; with "via uw organisatie" the real
OpenID Provider (tests/oidc) signs the colleague in and the portal links that identity, so the next
"Inloggen via uw organisatie" finds the account (not a new one)."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mijnduo import services
from pib.constants import Role
from pib.models import SsoIdentity
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.e2e.test_sso import consent
from tests.pib.factories import UserFactory, municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
GRONINGEN = "GM0014"
PASSWORD = "Zeer-Lang-Wachtwoord-2026!"


def colleague_with_code(username, email):
    beheerder = UserFactory(username="beheerder", roles={GRONINGEN: [Role.MIJN_DUO_ADMIN]})
    services.account_create(
        actor=beheerder,
        municipality=municipality(GRONINGEN),
        username=username,
        first_name="Nina",
        last_name="Nieuw",
        email=email,
        roles=[Role.ELIP_PERSONS],
        login_url="http://testserver/mijn-duo/activeren/",
    )
    return re.search(r"Uw activatiecode: ([A-Z0-9-]+)", mail.outbox[-1].body).group(1)


def fill_activation(page, username, code):
    page.goto("/mijn-duo/activeren/")
    page.fill("#id_username", username)
    page.fill("#id_code", code)


def test_activation_with_a_password_couples_the_authenticator_app(browser_page):
    page = browser_page
    code = colleague_with_code("n.nieuw", "n.nieuw@groningen.nl")
    fill_activation(page, "n.nieuw", code)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/inloggen/authenticator-koppelen/" in page.url
    assert "Uw account is geactiveerd. Koppel nu een authenticator-app" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "activeren-1-authenticator-koppelen")
    device = TOTPDevice.objects.get(user__username="n.nieuw", confirmed=False)
    page.fill("#id_token", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "back-upcodes" in page.locator("main").inner_text().lower()
    page.goto("/")
    assert page.locator("h1").inner_text() == "Inburgering"


def test_activation_via_the_organisation_links_the_identity(browser_page, oidc_provider):
    page = browser_page
    code = colleague_with_code("n.nieuw", "n.nieuw@groningen.nl")
    fill_activation(page, "n.nieuw", code)
    page.check("text=Via uw organisatie")
    assert_no_axe_violations(page)
    screenshot(page, "activeren-2-keuze-organisatie")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Uw gebruikersnaam en activatiecode kloppen." in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "activeren-3-naar-organisatie")
    page.click("text=Verder naar de inlog van uw organisatie")
    page.wait_for_selector("input[name=login]")  # at the provider
    page.fill("input[name=login]", "nieuw")
    page.fill("input[name=password]", "wat-dan-ook")
    page.click("button:has-text('Sign-in')")
    page.wait_for_selector("button:has-text('Continue')")
    consent(page)
    assert urlsplit(page.url).path == "/"
    main = page.locator("main").inner_text()
    assert "Uw account is geactiveerd en gekoppeld aan de inlog van uw organisatie." in main
    assert_no_axe_violations(page)
    screenshot(page, "activeren-4-gekoppeld")
    user = get_user_model().objects.get(username="n.nieuw")
    assert SsoIdentity.objects.get(user=user).subject == "nieuw"
    assert not get_user_model().objects.filter(username="nieuw").exists()  # no second account made

    # Later: "Inloggen via uw organisatie" finds the linked account.
    page.context.clear_cookies()
    page.goto("/inloggen/")
    page.click("a.utrecht-button-link:has-text('Inloggen via uw organisatie')")
    page.wait_for_load_state()
    if page.locator("input[name=login]").count():
        page.fill("input[name=login]", "nieuw")
        page.fill("input[name=password]", "wat-dan-ook")
        page.click("button:has-text('Sign-in')")
    if page.locator("button:has-text('Continue')").count():
        consent(page)
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/"
    assert page.locator("h1").inner_text() == "Inburgering"
    assert not get_user_model().objects.filter(username="nieuw").exists()
