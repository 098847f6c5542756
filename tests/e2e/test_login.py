import pytest

from pib.constants import Role
from tests.e2e.conftest import screenshot
from tests.pib.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_and_sees_start_screen(browser_page, login):
    UserFactory(username="anna", roles={"GM0014": [Role.ELIP_PERSONS]})
    login(browser_page, "anna")
    assert browser_page.locator("h1").inner_text() == "Inburgering"
    assert "Groningen" in browser_page.content()
    screenshot(browser_page, "00-start")
