"""Browser test of 'Raadplegen ELIP personen' (manual chapter 4): log in → Raadplegen ELIP personen →
Overzicht ELIP → Details → Details examen → Details contract (and factuur, and the BSN search),
with a screenshot of every step in tests/e2e/screenshots/persons-*.png."""

import datetime as dt
from decimal import Decimal

import pytest

from pib.constants import Role
from pib.models import ReadLogEntry
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.elip.persons_data import GRONINGEN, full_history
from tests.pib.factories import PersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_persons_list_detail_exam_contract_invoice(browser_page, login):
    page = browser_page
    UserFactory(username="anna", first_name="Anna", last_name="de Vries", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    for i in range(22):
        PersonFactory(
            elip=True,
            code=GRONINGEN,
            first_names="Fatima",
            last_name=f"Achternaam{i:02d}",
            loan_used=Decimal(8000 + i * 50),
        )
    wilmer = PersonFactory(
        elip=True,
        code=GRONINGEN,
        first_names="Wilmer",
        last_name="Gonzalez",
        birth_date=dt.date(1999, 6, 17),
        term_start=dt.date(2019, 7, 1),
        term_end=dt.date(2023, 3, 31),
        culpable_overrun=True,
        lesson_hours_integration=50,
        lesson_hours_literacy=50,
        loan_used=Decimal("7540"),
    )
    data = full_history(wilmer, invoices=2)

    login(page, "anna")
    page.get_by_role("link", name="Raadplegen ELIP personen").click()
    assert page.locator("h1").inner_text() == "ELIP (Einde Lening Inburgeringsplichtigen)"
    assert "Er zijn 23 inburgeringsplichtigen die voldoen aan ELIP." in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "persons-1-zoeken")

    page.get_by_role("link", name="Toon deze inburgeringsplichtigen").click()
    assert page.locator("h1").inner_text() == "Overzicht ELIP"
    assert page.locator("table.utrecht-table tbody tr").count() == 20
    assert_no_axe_violations(page)
    screenshot(page, "persons-2-overzicht")

    page.get_by_role("link", name="Naam", exact=False).first.click()  # sort by name, descending
    page.wait_for_load_state()
    assert "sorteer=-naam" in page.url
    assert page.locator("table.utrecht-table tbody tr").first.inner_text().startswith(wilmer.bsn)
    screenshot(page, "persons-3-overzicht-gesorteerd")

    page.get_by_role("link", name="Wilmer Gonzalez").click()
    assert page.locator("h1").inner_text() == "Details Wilmer Gonzalez"
    assert str(wilmer.public_id) in page.url and wilmer.bsn not in page.url
    main = page.locator("main").inner_text()
    for label in ("Verwijtbare termijnoverschrijding", "Examens", "Inschrijvingen", "Contracten", "Facturen"):
        assert label in main
    assert_no_axe_violations(page)
    screenshot(page, "persons-4-details")

    page.get_by_role("link", name="Details examen Lezen").click()
    assert page.locator("h1").inner_text() == "Details examen Lezen Wilmer Gonzalez"
    assert page.locator("main li").first.inner_text() == "4E POGING, 17-04-2013, NIET GESLAAGD"
    assert_no_axe_violations(page)
    screenshot(page, "persons-5-examen")

    page.get_by_role("link", name="Terug", exact=True).click()
    page.get_by_role("link", name=f"Details contract {data['contract'].number}").click()
    assert page.locator("h1").inner_text() == "Details contract"
    assert "Totaalbedrag\n€ 2.200,00" in page.locator("main").inner_text().replace("\t", "\n")
    assert_no_axe_violations(page)
    screenshot(page, "persons-6-contract")

    page.get_by_role("link", name="Details Wilmer Gonzalez").click()
    page.get_by_role("link", name=f"Details factuur {data['invoices'][1].number}").click()
    assert page.locator("h1").inner_text() == "Details factuur"
    assert "Geen geldig contract" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "persons-7-factuur")

    # Search by BSN: POSTed, the result page's URL holds the opaque id only.
    page.goto("/elip/personen/")
    page.get_by_label("Burgerservicenummer").fill("123456788")
    page.get_by_role("button", name="Zoek").click()
    assert "Vul een geldig burgerservicenummer in" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    screenshot(page, "persons-8-zoeken-ongeldig")
    page.get_by_label("Burgerservicenummer").fill(wilmer.bsn)
    page.get_by_role("button", name="Zoek").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Details Wilmer Gonzalez"
    assert wilmer.bsn not in page.url

    assert ReadLogEntry.objects.filter(person=wilmer).count() >= 6
