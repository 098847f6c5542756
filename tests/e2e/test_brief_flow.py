"""Browser test of Beheren ELIP brief (manual §3.3–3.7): log in → choose municipality → enrol →
overview → change → withdraw. A screenshot of every step in tests/e2e/screenshots/brief-*.png and an
axe-core check (WCAG 2.1 A/AA, 0 violations) on every page."""

import datetime as dt

import pytest
from django.utils import timezone

from elip.constants import EnrolmentAction, EnrolmentStatus
from elip.models import ElipEnrolment, ElipEnrolmentChange, PolicyVersion, RunMunicipality, SelectionRun
from pib.constants import Role
from pib.views import parts_for
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.pib.factories import UserFactory, municipality

# Transactional: the live server reads committed data. tests/conftest.py reloads the reference data
# (municipalities, policy versions) that the flush after each such test removes.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def step(page, name):
    assert_no_axe_violations(page)
    screenshot(page, f"brief-{name}")


def _dispatches(muni):
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    today = timezone.localdate()
    for weeks_ago, count in [(1, 12), (2, 7)]:
        day = today - dt.timedelta(weeks=weeks_ago)
        run = SelectionRun.objects.create(
            run_date=day, iso_year=day.isocalendar()[0], iso_week=day.isocalendar()[1], policy=policy
        )
        RunMunicipality.objects.create(run=run, municipality=muni, letters_count=count)


def test_enrol_change_and_withdraw_in_the_browser(browser_page, login):
    page = browser_page
    groningen = municipality("GM0014")
    UserFactory(
        username="regio",
        first_name="Rianne",
        last_name="Regio",
        roles={"GM0363": [Role.ELIP_LETTER, Role.ELIP_PERSONS], "GM0014": [Role.ELIP_LETTER]},
    )
    _dispatches(groningen)

    # The login page itself
    page.goto("/inloggen/")
    step(page, "00-login")

    # Log in: the start screen of the first municipality (Amsterdam)
    login(page, "regio")
    assert page.locator("h1").inner_text() == "Inburgering"
    assert page.locator("#gekozen-gemeente option:checked").inner_text() == "Amsterdam"
    step(page, "01-start")

    # Keyboard: the skip link is the first stop and is visible when focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"

    # Choose Groningen (§3.7), without JavaScript: select + submit button
    page.select_option("#gekozen-gemeente", label="Groningen")
    page.click("text=Kies gemeente")
    page.wait_for_load_state()
    assert page.locator("#gekozen-gemeente option:checked").inner_text() == "Groningen"
    step(page, "02-gemeente-gekozen")

    # §3.3: not enrolled
    page.click("text=Beheren ELIP brief")
    assert page.locator("h1").inner_text() == "ELIP"
    assert "naar schatting 0 ELIP-inburgeraars" in page.content()
    step(page, "03-niet-aangemeld")

    # §3.4: the form; an empty submit shows the manual's messages
    page.click("text=Meld aan")
    assert page.locator("h1").inner_text() == "Elip aanmelden"
    step(page, "04-formulier")
    page.click("button:has-text('Verstuur')")
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "U moet ten minste een telefoonnummer of een e-mailadres invullen." in body
    assert "Het veld 'Contactpersoon' is verplicht." in body
    # static/js/portal.js moves focus to the error summary; its links lead to the fields
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.click(".error-summary a:has-text('Contactpersoon')")
    assert page.evaluate("document.activeElement.id") == "id_contact_name"
    step(page, "05-formulier-fouten")

    page.fill("#id_letter_phone", "06 1111 2222")
    page.fill("#id_letter_email", "elip@groningen.nl")
    page.fill("#id_letter_website", "www.groningen.nl/elip")
    page.fill("#id_contact_name", "Test Groningen")
    page.fill("#id_contact_phone", "06 2777 3333")
    page.fill("#id_contact_email", "test@duo.nl")
    page.fill("#id_contact_postcode", "9722tb")
    page.fill("#id_contact_house_number", "6")
    page.fill("#id_contact_street", "Kempkensberg")
    page.fill("#id_contact_city", "Groningen")
    page.click("button:has-text('Verstuur')")
    page.wait_for_load_state()

    # The confirmation step: nothing saved yet
    assert "Klik op 'Aanmelden' om de aanmelding definitief te maken." in page.content()
    assert not ElipEnrolment.objects.exists()
    step(page, "06-bevestigen-aanmelden")
    page.click("button:has-text('Aanmelden')")
    page.wait_for_load_state()

    # §3.5: the overview
    assert ElipEnrolment.objects.get(municipality=groningen).status == EnrolmentStatus.ENROLLED
    main = page.locator("main")
    assert "Uw gemeente is aangemeld voor de ELIP-ondersteuning." in main.inner_text()
    assert "Totaal verzonden" in main.inner_text() and "19" in main.inner_text()
    page.click("summary:has-text('Vorige verzendingen')")  # expand <details>
    assert page.locator("details table tbody tr").count() == 2
    step(page, "07-overzicht")

    # The letter preview is a PDF
    href = page.get_attribute("a:has-text('Bekijk voorbeeldbrief (PDF)')", "href")
    preview = page.request.get(href)  # same session cookie as the page
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.body()[:5] == b"%PDF-"

    # Wijzig → Bewaar
    page.click("text=Wijzig")
    assert page.input_value("#id_letter_email") == "elip@groningen.nl"
    page.fill("#id_letter_email", "inburgering@groningen.nl")
    step(page, "08-wijzigen")
    page.click("button:has-text('Verstuur')")
    page.wait_for_load_state()
    assert "inburgering@groningen.nl" in page.locator("table").inner_text()
    step(page, "09-bevestigen-wijzigen")
    page.click("button:has-text('Bewaar')")
    page.wait_for_load_state()
    assert "De wijziging van uw ELIP-gegevens is opgeslagen." in page.content()
    assert ElipEnrolment.objects.get().letter_email == "inburgering@groningen.nl"

    # Meld af (keyboard only: focus the link, press Enter) → Afmelden
    page.focus("a:has-text('Meld af')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Afmelden"
    step(page, "10-bevestigen-afmelden")
    page.click("button:has-text('Afmelden')")
    page.wait_for_load_state()
    assert "Uw gemeente is afgemeld voor de ELIP-ondersteuning." in page.content()
    assert ElipEnrolment.objects.get().status == EnrolmentStatus.WITHDRAWN
    step(page, "11-afgemeld")

    actions = list(ElipEnrolmentChange.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [EnrolmentAction.ENROL, EnrolmentAction.CHANGE, EnrolmentAction.WITHDRAW]


def test_user_without_roles_and_forbidden_page_pass_axe(browser_page, login):
    page = browser_page
    UserFactory(username="elders", roles={"GM0014": [Role.ELIP_PERSONS]})
    login(page, "elders")
    page.goto("/elip/brief/")
    assert page.locator("h1").inner_text() == "Geen toegang"
    step(page, "12-geen-toegang")
    page.goto("/bestaat-niet/")
    step(page, "13-niet-gevonden")


def test_start_screen_with_every_role_and_without_any_role(browser_page, login):
    page = browser_page
    UserFactory(username="alles", roles={"GM0014": list(Role)})
    login(page, "alles")
    assert page.locator(".part-list__item").count() == len(parts_for(set(Role))) == 14
    assert page.locator(".part-list__link").count() >= 1
    step(page, "14-start-alle-rollen")
    page.click("text=Uitloggen")
    page.wait_for_load_state()
    UserFactory(username="niemand")
    login(page, "niemand")
    assert "U hebt nog geen accountrol voor een gemeente." in page.content()
    step(page, "15-start-zonder-rol")


def test_the_axe_check_does_fail_on_a_violation(browser_page):
    """Guards the guard: a page with an unlabeled input and an image without alt is caught."""
    from tests.e2e.axe import axe_violations

    browser_page.goto("/inloggen/")
    browser_page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/x.png';"
        " document.querySelector('main').append(i, document.createElement('input')); }"
    )
    ids = {v["id"] for v in axe_violations(browser_page)}
    assert {"image-alt", "label"} <= ids
