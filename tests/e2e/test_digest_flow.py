"""The weekly digest in a browser (issue 14 point 4): the user switches it on under Instellingen, the
run sends it to a real SMTP server on loopback, the received HTML part is rendered in Chromium
(tests/e2e/screenshots/digest-email.png, with the received text and HTML parts beside it; a copy is
in docs/screenshots/), and the
opt-out link from the received mail is followed without login. axe on every portal page."""

import pytest

from elip.models import DigestSubscription
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.elip.test_digest import run_the_week, world  # noqa: F401 - the fixture: a run's worth of news

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_switch_on_receive_the_mail_and_opt_out_by_its_link(
    browser_page,
    live_server,
    login,
    world,  # noqa: F811
    smtp_server,
    settings,
):
    page = browser_page
    settings.PORTAL_BASE_URL = live_server.url  # the links in the mail lead to this test's portal
    DigestSubscription.objects.filter(user=world).update(active=False)  # the user switches it on below
    login(page, "casus")
    page.goto("/")
    page.click("text=wekelijkse samenvatting per e-mail")
    assert_no_axe_violations(page)
    page.check("#id_digest_0")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "U ontvangt voortaan" in page.content()
    assert_no_axe_violations(page)
    screenshot(page, "digest-01-instellingen")

    run_the_week()

    assert len(smtp_server.messages) == 1
    text, html = smtp_server.bodies()[0], smtp_server.html()[0]
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "digest-email.txt").write_text(text.replace("\r\n", "\n"))
    (SCREENSHOTS / "digest-email.html").write_text(html.replace("\r\n", "\n"))
    mail_page = page.context.new_page()
    mail_page.set_content(html)
    mail_page.set_viewport_size({"width": 800, "height": 600})
    screenshot(mail_page, "digest-email")  # copied by hand into docs/screenshots/, like every screenshot

    optout = mail_page.get_attribute("text=Meld u af voor de wekelijkse samenvatting", "href")
    page.context.clear_cookies()  # the link works without login
    page.goto(optout)
    assert "Klik op 'Afmelden'" in page.content()
    assert_no_axe_violations(page)
    screenshot(page, "digest-02-afmelden")
    assert DigestSubscription.objects.get(user=world).active
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "U bent afgemeld." in page.content()
    assert_no_axe_violations(page)
    screenshot(page, "digest-03-afgemeld")
    assert not DigestSubscription.objects.get(user=world).active
