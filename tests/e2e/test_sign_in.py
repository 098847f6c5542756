"""The sign-in screens in the browser: password, authenticator enrolment by QR code, backup codes,
second factor, lockout; axe finds 0 violations on each; screenshots for docs/screenshots."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.lockout import LOCKOUT_MESSAGE
from pib.constants import Role
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import PASSWORD, screenshot
from tests.pib.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def password_step(page, username, password=PASSWORD):
    page.goto("/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_enrol_an_authenticator_then_sign_in_with_it(browser_page):
    page = browser_page
    user = UserFactory(username="nieuwe-medewerker", roles={"GM0014": [Role.ELIP_PERSONS]})
    page.goto("/inloggen/")
    assert_no_axe_violations(page)
    screenshot(page, "inloggen-1-wachtwoord")
    password_step(page, "nieuwe-medewerker")
    assert page.locator("h1").inner_text() == "Authenticator-app koppelen"
    assert page.locator(".qr-code svg path").count() == 1
    assert_no_axe_violations(page)
    screenshot(page, "inloggen-2-authenticator-koppelen")
    page.fill("#id_token", "000000")
    page.click("main button[type=submit]")
    assert "Deze code is onjuist" in page.locator(".utrecht-form-field-error-message").inner_text()
    assert_no_axe_violations(page)
    device = TOTPDevice.objects.get(user=user)
    device.throttle_reset()
    page.fill("#id_token", code_for(device))
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Uw back-upcodes"
    assert page.locator(".backup-codes li").count() == 10
    assert_no_axe_violations(page)
    screenshot(page, "inloggen-3-back-upcodes")
    page.click("text=Verder naar de Portal Inburgering")
    assert page.locator("h1").inner_text() == "Inburgering"
    # Next time: password, then the code from the app.
    page.click("button:has-text('Uitloggen')")
    password_step(page, "nieuwe-medewerker")
    assert page.locator("h1").inner_text() == "Tweede stap: code invullen"
    assert_no_axe_violations(page)
    screenshot(page, "inloggen-4-tweede-stap")
    device.refresh_from_db()
    device.last_t = -1  # the code of this 30-second window was used at enrolment
    device.save()
    page.fill("#id_token", code_for(device))
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Inburgering"


def test_lockout_page_after_five_wrong_passwords(browser_page):
    page = browser_page
    UserFactory(username="vergeetachtig", roles={"GM0014": [Role.ELIP_PERSONS]})
    for _ in range(4):
        password_step(page, "vergeetachtig", "verkeerd-wachtwoord")
        assert "onjuist" in page.locator(".utrecht-alert--error").inner_text()
    password_step(page, "vergeetachtig", "verkeerd-wachtwoord")
    assert page.locator(".utrecht-alert--error").inner_text() == LOCKOUT_MESSAGE
    assert_no_axe_violations(page)
    screenshot(page, "inloggen-5-geblokkeerd")
    password_step(page, "vergeetachtig")  # the right password: still blocked
    assert page.locator(".utrecht-alert--error").inner_text() == LOCKOUT_MESSAGE
