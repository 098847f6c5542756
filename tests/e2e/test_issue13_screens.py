"""Issue 13 in a browser, with axe on every screen and a screenshot of each: links only where they
can be followed ("verhuisd", ended obligation from SS402), "select all N found signals" across pages
with and without JavaScript, back to the search with its criteria, logout, and the municipal
Mijn DUO-beheerder (account, roles, activation code by e-mail, activation, log)."""

import datetime as dt
import re

import pytest
from django.core import mail

from elip.services.registry import obligation_end, person_move
from pib.constants import ObligationStatus, Role
from signals.constants import SignalCode, SignalStatus
from signals.models import Signal
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def elip_person(code, **kwargs):
    """An ELIP person (the letter was sent) living in ``code``."""
    return PersonFactory(code=code, elip=True, **kwargs)


GRONINGEN, AMSTERDAM = "GM0014", "GM0363"


def _signals_world():
    UserFactory(
        username="casus",
        first_name="Carla",
        last_name="Casus",
        roles={GRONINGEN: [Role.ELIP_SIGNALS, Role.ELIP_PERSONS]},
    )
    stays = elip_person(GRONINGEN, first_names="Samir", last_name="al Fayed")
    moved = elip_person(GRONINGEN, first_names="Olga", last_name="Koblikova")
    ended = elip_person(GRONINGEN, first_names="Toivo", last_name="Yliranta")
    for person in (stays, moved, ended):
        SignalFactory(person=person, code=SignalCode.SS400, placed_on=dt.date(2026, 11, 4))
    for i in range(20):
        SignalFactory(person=stays, code=SignalCode.SS401, placed_on=dt.date(2026, 11, 5) + dt.timedelta(days=i % 9))
    person_move(
        person=moved,
        municipality=municipality(AMSTERDAM),
        street="Amstel",
        house_number=1,
        postcode="1011 PN",
        city="Amsterdam",
        on_date=dt.date(2026, 11, 20),
    )
    obligation_end(person=ended, status=ObligationStatus.MET, on_date=dt.date(2026, 11, 25))
    return stays, moved, ended


def test_signals_links_select_all_found_and_back_with_criteria(browser_page, login):
    page = browser_page
    stays, moved, ended = _signals_world()
    login(page, "casus")
    page.goto("/signalen/")
    page.select_option("#id_code", "SS401")
    page.click("button[name=zoek]")
    page.wait_for_url("**/signalen/resultaten/**")
    # Back to the search: the criteria are still there.
    page.click("a.link-back")
    assert page.locator("#id_code").input_value() == "SS401"
    assert_no_axe_violations(page)
    screenshot(page, "signals-12-terug-met-criteria")

    page.goto("/signalen/resultaten/alle/")
    main = page.locator("main").inner_text()
    assert "Er zijn 25 signalen gevonden." in main
    assert "Doelgroep" in main and "Wi2013" in main
    assert "verhuisd" in main
    assert page.locator(f"a[href='/elip/personen/{moved.public_id}/']").count() == 0
    assert_no_axe_violations(page)
    screenshot(page, "signals-10-verhuisd-doelgroep-links")

    # The header checkbox ticks this page; the button selects every found signal, on every page.
    page.check(".js-select-all")
    page.click("button[value=alle_gevonden]")
    assert "Alle 25 gevonden signalen zijn geselecteerd" in page.locator("main").inner_text()
    assert page.locator(".js-selected-count").inner_text() == "25"
    assert_no_axe_violations(page)
    screenshot(page, "signals-11-alle-gevonden-geselecteerd")
    page.click("button[value=in_behandeling]")
    assert "25 signalen hebben de status 'In behandeling' gekregen." in page.locator("main").inner_text()
    groningen = Signal.objects.filter(municipality=municipality(GRONINGEN))
    assert set(groningen.values_list("status", flat=True)) == {SignalStatus.IN_PROGRESS}

    # The ended person is reachable from the SS402 signal, with status and date.
    page.goto("/signalen/resultaten/alle/?sortering=code")
    page.click(f"a[href='/elip/personen/{ended.public_id}/'] >> nth=0")
    main = page.locator("main").inner_text()
    assert "De inburgeringsplicht is beëindigd: Voldaan op 25-11-2026." in main
    assert "Yliranta" not in page.title()
    assert_no_axe_violations(page)
    screenshot(page, "persons-10-plicht-beeindigd")


def test_select_all_found_without_javascript(_browser, live_server, login):
    context = _browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _signals_world()
        login(page, "casus")
        page.goto("/signalen/resultaten/alle/")
        page.click("button[value=alle_gevonden]")
        page.uncheck(".js-signal-select >> nth=0")
        page.click("button[value=afgehandeld]")
        assert "24 signalen hebben de status 'Afgehandeld' gekregen." in page.locator("main").inner_text()
        assert Signal.objects.filter(municipality=municipality(GRONINGEN), status=SignalStatus.DONE).count() == 24
    finally:
        context.close()


def test_logout_says_so(browser_page, login):
    page = browser_page
    UserFactory(username="uit", roles={GRONINGEN: [Role.ELIP_LETTER]})
    login(page, "uit")
    page.click("button:has-text('Uitloggen')")
    assert "U bent uitgelogd." in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "login-01-uitgelogd")


def test_mijn_duo_beheerder_creates_an_account_and_the_colleague_activates_it(browser_page, login):
    page = browser_page
    UserFactory(username="beheerder", first_name="Bea", last_name="Beheer", roles={GRONINGEN: [Role.MIJN_DUO_ADMIN]})
    UserFactory(
        username="collega",
        first_name="Cor",
        last_name="Collega",
        email="cor@groningen.nl",
        roles={GRONINGEN: [Role.ELIP_PERSONS], AMSTERDAM: [Role.ELIP_SIGNALS]},
    )
    login(page, "beheerder")
    page.click("text=Gebruikers en accountrollen")
    assert page.locator("h1").inner_text() == "Gebruikers en accountrollen"
    assert_no_axe_violations(page)

    page.click("text=Nieuwe gebruiker aanmaken")
    page.fill("#id_username", "j.jansen")
    page.fill("#id_email", "geen-adres")
    page.click("main button[type=submit]")
    assert "Vul een geldig e-mailadres in" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "mijnduo-02-nieuw-fouten")
    page.fill("#id_first_name", "Jan")
    page.fill("#id_last_name", "Jansen")
    page.fill("#id_email", "j.jansen@groningen.nl")
    page.check("input[value=elip_personen]")
    page.check("input[value=elip_signalen]")
    screenshot(page, "mijnduo-01-nieuwe-gebruiker")
    page.click("main button[type=submit]")
    assert "De activatiecode is gemaild naar j.jansen@groningen.nl" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "mijnduo-00-gebruikers")

    page.click("a:has-text('Wijzig') >> nth=0")  # Cor Collega sorts first
    assert "accountrollen voor een andere gemeente" in page.locator("main").inner_text()
    page.check("input[value=elip_brief]")
    assert_no_axe_violations(page)
    screenshot(page, "mijnduo-03-accountrollen")
    page.click("button:has-text('Bewaar')")
    page.click("text=Logboek accountrollen")
    assert "Accountrol toegekend" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "mijnduo-04-logboek")
    page.click("button:has-text('Uitloggen')")

    code = re.search(r"Uw activatiecode: ([A-Z0-9-]+)", mail.outbox[-1].body).group(1)
    page.goto("/mijn-duo/activeren/")
    page.fill("#id_username", "j.jansen")
    page.fill("#id_code", code)
    page.fill("#id_password1", "kort")
    page.fill("#id_password2", "kort")
    page.click("main button[type=submit]")
    assert "Dit wachtwoord is te kort." in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "mijnduo-05-activeren-fout")
    page.fill("#id_password1", "Zeer-Lang-Wachtwoord-2026!")
    page.fill("#id_password2", "Zeer-Lang-Wachtwoord-2026!")
    page.click("main button[type=submit]")
    # Activated, signed in with the password: the authenticator app comes next (test_activation_flow.py).
    assert "Uw account is geactiveerd." in page.locator("main").inner_text()
    assert "/inloggen/authenticator-koppelen/" in page.url
    screenshot(page, "mijnduo-06-geactiveerd")
    page.context.clear_cookies()
    login(page, "j.jansen", "Zeer-Lang-Wachtwoord-2026!")
    assert page.locator("h1").inner_text() == "Inburgering"
