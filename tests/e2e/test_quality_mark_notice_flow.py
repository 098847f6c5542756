"""The quality-mark notice in a browser (issue 14 point 3): a case worker of the affected
municipality sees it on the start screen (docs/screenshots/start-keurmerk-melding.png), axe finds
no violation, "Gelezen" hides it for the municipality; a user of another municipality never sees it."""

import shutil
from pathlib import Path

import pytest

from elip.models import QualityMarkAcknowledgement
from pib.constants import Role
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.elip.test_quality_mark_notice import AMSTERDAM, GRONINGEN, NOTICE, UTRECHT, loss  # noqa: F401
from tests.pib.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_notice_on_the_start_screen_until_acknowledged(browser_page, login, loss):  # noqa: F811
    page = browser_page
    UserFactory(
        username="casus",
        first_name="Carla",
        last_name="Casus",
        roles={GRONINGEN: [Role.ELIP_PERSONS, Role.ELIP_SIGNALS, Role.ELIP_LETTER]},
    )
    UserFactory(username="utrecht", roles={UTRECHT: [Role.ELIP_PERSONS]})
    login(page, "casus")
    page.goto("/")
    assert NOTICE in " ".join(page.inner_text("main").split())
    assert_no_axe_violations(page)
    shutil.copy(screenshot(page, "start-keurmerk-melding"), DOCS / "start-keurmerk-melding.png")
    # The link opens the Werkvoorraad filtered on the lost quality mark: the same two persons.
    page.click("text=Bekijk in de Werkvoorraad wie het zijn")
    page.wait_for_load_state()
    assert "keurmerk=on" in page.url and page.is_checked("#id_keurmerk")
    assert page.locator("main tbody tr").count() == 2
    page.goto("/")

    page.click("text=Gelezen: verberg deze melding voor mijn gemeente")
    page.wait_for_load_state()
    main = " ".join(page.inner_text("main").split())
    assert "is als gelezen gemarkeerd voor de gemeente Groningen" in main and NOTICE not in main
    assert_no_axe_violations(page)
    screenshot(page, "start-keurmerk-gelezen")
    assert QualityMarkAcknowledgement.objects.get().acknowledged_by.username == "casus"

    page.context.clear_cookies()
    login(page, "utrecht")
    page.goto("/")
    assert "Taalschool Noord" not in page.content()
