"""Browser test of the Routewijzer on an ELIP person's detail (issue 14 part 1): both routes,
native progress bars that work without JavaScript, axe clean. Screenshot: docs/screenshots/routewijzer.png
(and tests/e2e/screenshots/routewijzer.png)."""

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from pib.constants import AttemptResult, ExamComponent, Role
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.elip.persons_data import GRONINGEN
from tests.pib.factories import PersonFactory, UserFactory, add_exam

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "routewijzer.png"


def test_routewijzer_on_the_person_detail(browser_page, login):
    page = browser_page
    UserFactory(username="anna", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    # The term end is 25 weeks from the real today (the live server's clock is not frozen: the
    # session cookie must not expire in the browser).
    person = PersonFactory(
        elip=True,
        code=GRONINGEN,
        loan_used=Decimal("8720"),
        first_names="Amina",
        last_name="Haddad",
        term_end=dt.date.today() + dt.timedelta(weeks=25),
        lesson_hours_integration=500,
        lesson_hours_literacy=60,
    )
    for component in ExamComponent.values:
        if component == ExamComponent.KNM:
            add_exam(person, component, exempted=True)
        elif component == ExamComponent.SPEAKING:
            add_exam(person, component, results=[AttemptResult.FAILED] * 3)
        else:
            add_exam(person, component, results=[AttemptResult.FAILED, AttemptResult.PASSED])

    login(page, "anna")
    page.goto(reverse("elip:person_detail", kwargs={"public_id": person.public_id}))
    main = page.locator("main").inner_text()
    assert "Ontheffing binnen bereik: nog 40 uur en 1 poging Spreken." in main
    assert "Nog 25 weken tot het einde van de inburgeringstermijn" in main
    assert page.locator("#routewijzer ~ div progress").count() == 3
    assert page.get_by_label("Lesuren (inburgering en alfabetisering)").get_attribute("value") == "560"
    assert_no_axe_violations(page)
    page.locator("#routewijzer").scroll_into_view_if_needed()
    path = screenshot(page, "routewijzer")
    DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, DOCS_SCREENSHOT)
