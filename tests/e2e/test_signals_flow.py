"""Manual §3.2 in a browser: search signals → select → bulk "In behandeling" → CSV download."""

import datetime as dt
from pathlib import Path

import pytest

from pib.constants import Role
from signals.models import Signal
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_select_bulk_in_behandeling_and_csv(browser_page, login):
    page = browser_page
    UserFactory(username="sanne", roles={"GM0363": [Role.ELIP_SIGNALS]})
    gm = municipality("GM0363")
    person = PersonFactory(municipality=gm, last_name="Da Costa")
    for i in range(3):
        SignalFactory(person=person, code="SS401", placed_on=dt.date(2023, 6, 10) + dt.timedelta(days=i))
    for _ in range(22):
        SignalFactory(person=PersonFactory(municipality=gm), code="SS400", placed_on=dt.date(2023, 6, 14))
    SignalFactory(person=PersonFactory(municipality=municipality("GM0599")), code="SS401")

    login(page, "sanne")
    page.goto("/signalen/")
    assert page.locator("h1").inner_text().startswith("Zoeken signalen ELIP")
    assert "Er zijn 25 signalen voor uw gemeente die nog niet afgehandeld zijn." in page.inner_text("main")
    assert_no_axe_violations(page)

    # A wrong BSN gives a Dutch message; the BSN never appears in the URL.
    page.fill("#id_bsn", "123456789")
    page.click("button[name=zoek]")
    assert "elfproef" in page.inner_text("main")
    assert_no_axe_violations(page)
    screenshot(page, "signals-00-zoeken-fout")
    page.fill("#id_bsn", person.bsn)
    page.select_option("#id_code", "SS401")
    page.click("button[name=zoek]")
    page.wait_for_url("**/signalen/resultaten/**")
    assert person.bsn not in page.url
    assert "Er zijn 3 signalen gevonden." in page.inner_text("main")
    assert_no_axe_violations(page)

    # The header checkbox selects all; the count follows live.
    page.check(".js-select-all")
    assert page.locator(".js-selected-count").inner_text() == "3"
    page.uncheck(".js-signal-select >> nth=0")
    assert page.locator(".js-selected-count").inner_text() == "2"
    page.check(".js-signal-select >> nth=0")
    screenshot(page, "signals-01-selected")
    page.click("button[value=in_behandeling]")
    assert "3 signalen hebben de status 'In behandeling' gekregen." in page.inner_text("main")
    assert person.bsn not in page.url
    assert set(Signal.objects.filter(person=person).values_list("status", flat=True)) == {"in_behandeling"}
    screenshot(page, "signals-02-in-behandeling")

    # Printen: a print-friendly page of the ticked signals.
    page.check(".js-signal-select >> nth=1")
    page.click("button[value=printen]")
    assert page.locator("h1").inner_text() == "Signalen ELIP – Amsterdam"
    assert page.locator("tbody tr").count() == 1
    assert_no_axe_violations(page)
    screenshot(page, "signals-02b-printen")

    # Sorting cycles and paging on the full list.
    page.goto("/signalen/resultaten/alle/")
    assert "Er zijn 25 signalen gevonden." in page.inner_text("main")
    page.click("th >> text=Code")
    assert "sortering=code" in page.url
    assert page.locator("tbody tr >> nth=0").inner_text().count("SS400") == 1
    page.click("text=VOLGENDE")
    assert "pagina=2" in page.url and "sortering=code" in page.url

    # CSV of the selection.
    page.goto("/signalen/")
    page.select_option("#id_code", "SS401")
    page.click("button[name=zoek]")
    with page.expect_download() as info:
        page.click("a[href$='/download/']:not([href='/signalen/download/'])")
    download = info.value
    assert download.suggested_filename.startswith("signalen-GM0363-selectie-")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").count("\r\n") == 4  # header + 3
    screenshot(page, "signals-03-results")
