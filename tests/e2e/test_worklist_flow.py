"""Browser test of the Werkvoorraad (issue 14 point 2): the single-municipality list and the regional
list in Chromium, filters and sorting by the real form and links, axe clean on each page, and the
flag of a school that lost its quality mark. Screenshots: docs/screenshots/werkvoorraad-1-gemeente.png
and werkvoorraad-2-regio.png (and tests/e2e/screenshots/)."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pib.constants import AttemptResult, ExamComponent, Role
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.letters.factories import LetterFactory
from tests.pib.factories import (
    EnrolmentFactory,
    InstitutionFactory,
    PersonFactory,
    QualityMarkLossFactory,
    UserFactory,
    add_exam,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GRONINGEN, WESTERKWARTIER, HOGELAND = "GM0014", "GM1969", "GM1966"
F, P = AttemptResult.FAILED, AttemptResult.PASSED


def person(first, last, code, *, days, hours, tries, passed=(), school=None):
    # The live server's clock is not frozen (the session cookie must not expire): dates from today.
    today = dt.date.today()
    p = PersonFactory(first_names=first, last_name=last, code=code, term_end=today + dt.timedelta(days=days),
                      term_start=today - dt.timedelta(days=1000), lesson_hours_integration=hours)  # fmt: skip
    LetterFactory(person=p, letter_date=today - dt.timedelta(days=30 + days % 50))
    for component in ExamComponent.values:
        add_exam(p, component, results=[F] * tries + ([P] if component in passed else []))
    if school is not None:
        EnrolmentFactory(person=p, institution=school, start_date=today - dt.timedelta(days=300),
                         end_date=today + dt.timedelta(days=60))  # fmt: skip
    return p


@pytest.fixture
def region():
    school = InstitutionFactory(name="Taalschool Noord")
    QualityMarkLossFactory(institution=school, lost_on=dt.date.today() - dt.timedelta(days=90))
    speaking = [c for c in ExamComponent.values if c != ExamComponent.SPEAKING]
    person("Amina", "Haddad", GRONINGEN, days=45, hours=560, tries=3, passed=speaking, school=school)
    person("Tesfaye", "Gebremariam", GRONINGEN, days=-20, hours=320, tries=2)
    person("Noor", "Rahimi", GRONINGEN, days=70, hours=600, tries=4, passed=speaking[:3])
    person("Maria", "Fernández de Córdoba", GRONINGEN, days=160, hours=150, tries=1, school=school)
    person("Olga", "Koblikova", GRONINGEN, days=400, hours=580, tries=2)
    person("Lina", "al Hassan", WESTERKWARTIER, days=30, hours=590, tries=4, school=school)
    person("Dawit", "Tesfamariam", WESTERKWARTIER, days=120, hours=200, tries=0)
    person("Omar", "Yusuf", HOGELAND, days=60, hours=300, tries=3)
    person("Bashir", "Ahmadi", HOGELAND, days=-5, hours=600, tries=4)
    UserFactory(username="klant", first_name="Greetje", last_name="Groningen",
                roles={GRONINGEN: [Role.ELIP_PERSONS]})  # fmt: skip
    UserFactory(username="regionaal", first_name="Rik", last_name="Regio",
                roles={code: [Role.ELIP_PERSONS] for code in (GRONINGEN, WESTERKWARTIER, HOGELAND)})  # fmt: skip


def keep(page, name):
    path = screenshot(page, name)
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(path, DOCS / f"{name}.png")


def test_worklist_single_municipality(browser_page, login, region):
    page = browser_page
    login(page, "klant")
    page.get_by_role("link", name="Werkvoorraad: wie heeft het eerst hulp nodig").click()
    assert page.locator("h1").inner_text().startswith("Werkvoorraad")
    rows = page.locator("table tbody tr")
    assert rows.count() == 5
    first = rows.nth(0).inner_text()
    assert "Haddad" in first and "Ontheffing binnen bereik" in first and "School verloor keurmerk" in first
    assert "Gebremariam" in rows.nth(1).inner_text() and "Termijn verstreken" in rows.nth(1).inner_text()
    assert "Westerkwartier" not in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    keep(page, "werkvoorraad-1-gemeente")

    # the filters through the real form
    page.get_by_label("Alleen inburgeraars van een school die het keurmerk Blik op Werk verloor").check()
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table tbody tr").count() == 2
    assert_no_axe_violations(page)
    page.get_by_label("Einde inburgeringstermijn").select_option("3")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table tbody tr").count() == 1
    # a bad value in the URL: a Dutch error, no list
    page.goto("/elip/werkvoorraad/?termijn=99")
    assert "Kies een van de keuzes in de lijst." in page.locator("main").inner_text()
    assert page.locator("table").count() == 0
    assert_no_axe_violations(page)
    # sorting by a header, back to urgency
    page.goto("/elip/werkvoorraad/")
    page.get_by_role("link", name="Naam").click()
    assert "Fernández" in page.locator("table tbody tr").nth(0).inner_text()
    page.get_by_role("link", name="Sorteer weer op urgentie").click()
    assert "Haddad" in page.locator("table tbody tr").nth(0).inner_text()
    # the BSN opens the person's detail
    page.locator("table tbody tr").nth(0).get_by_role("link").first.click()
    assert "Haddad" in page.locator("h1").inner_text()


def test_worklist_regional(browser_page, login, region):
    page = browser_page
    login(page, "regionaal")
    page.goto("/elip/werkvoorraad/")
    page.get_by_role("link", name="Werkvoorraad regio: alle 3 gemeenten samen").click()
    assert page.locator("h1").inner_text() == "Werkvoorraad regio"
    rows = page.locator("table tbody tr")
    assert rows.count() == 9
    text = page.locator("table").inner_text()
    for name in ("Groningen", "Westerkwartier", "Het Hogeland"):
        assert name in text
    flagged = [rows.nth(i).inner_text() for i in range(9) if "School verloor keurmerk" in rows.nth(i).inner_text()]
    assert len(flagged) == 3
    # only the chosen municipality's (Groningen's) BSNs are links
    for i in range(9):
        row = rows.nth(i)
        links = row.get_by_role("link").count()
        assert links == (1 if "Groningen" in row.inner_text() else 0)
    assert_no_axe_violations(page)
    keep(page, "werkvoorraad-2-regio")
