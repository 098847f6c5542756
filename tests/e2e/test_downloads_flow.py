"""Browser test of 'Downloaden bestanden': start screen → the page with the bundles of the last
3 months → download a real (rendered, PDF/A) bundle; person detail → the person's own letter.
Screenshots: tests/e2e/screenshots/downloads-*.png."""

import datetime as dt

import pytest
from django.utils import timezone

from letters.services import bundles_build, letters_render
from pib.constants import Role
from pib.models import ReadLogEntry
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot
from tests.letters.helpers import make_dispatch, make_letters, model_person
from tests.pib.factories import UserFactory, municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_downloads_page_bundle_and_own_letter(browser_page, login):
    page = browser_page
    groningen = municipality("GM0014")
    UserFactory(username="petra", first_name="Petra", last_name="Personen", roles={"GM0014": [Role.ELIP_PERSONS]})
    persons = [
        model_person(municipality=groningen, last_name=name, city="Groningen", postcode="9711 NR")
        for name in ("Tneinam", "Haddad", "Gebremariam")
    ]
    dispatch = make_dispatch(timezone.localdate() - dt.timedelta(days=6))
    letters = make_letters(persons, dispatch=dispatch)
    assert letters_render(letter_ids=[letter.pk for letter in letters]) == []
    bundles_build(dispatch=dispatch)

    login(page, "petra")
    page.get_by_role("link", name="Downloaden bestanden").click()
    assert page.locator("h1").inner_text() == "Downloaden bestanden"
    assert page.locator("table.utrecht-table tbody tr").count() == 1
    assert_no_axe_violations(page)
    screenshot(page, "downloads-1-overzicht")

    with page.expect_download() as info:
        page.get_by_role("link", name="Gebundelde brieven", exact=False).click()
    download = info.value
    assert download.suggested_filename == f"elip-brieven-GM0014-{dispatch.date:%Y%m%d}.pdf"
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    logged = ReadLogEntry.objects.filter(screen__startswith="Downloaden bestanden")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in persons)

    page.goto(f"/elip/personen/{persons[0].public_id}/")
    link = page.get_by_role("link", name="ELIP-brief van", exact=False)
    assert link.count() == 1
    assert_no_axe_violations(page)
    screenshot(page, "downloads-2-details-met-brief")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"elip-brief-{dispatch.date:%Y%m%d}.pdf"
