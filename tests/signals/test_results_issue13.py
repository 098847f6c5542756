"""Selecteren signalen, issue 13: links only where they can be followed (DOMAIN.md), moved-out
persons marked "verhuisd", the Doelgroep column, "select all N found signals" across pages
without JavaScript, and back to "Zoeken signalen" with the criteria kept."""

import datetime as dt
import re

import pytest

from elip.services.registry import obligation_end, person_move
from pib.constants import ObligationStatus, Role
from signals.constants import SignalCode, SignalStatus
from signals.models import Signal
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db


def elip_person(code, **kwargs):
    """An ELIP person (the letter was sent) living in ``code``."""
    return PersonFactory(code=code, elip=True, **kwargs)


SEARCH = "/signalen/"
AMSTERDAM, GRONINGEN = "GM0363", "GM0014"


def page(response):
    return re.sub(r"\s+", " ", response.content.decode())


def row_of(html, bsn):
    row = re.search(r'<tr class="utrecht-table__row">(?:(?!</tr>).)*?' + bsn + r".*?</tr>", html)
    assert row, f"no row for {bsn}"
    return row.group(0)


@pytest.fixture
def people():
    """An obliged ELIP person, one who moved out (SS404) and one whose obligation ended (SS402)."""
    obliged = elip_person(AMSTERDAM, last_name="Blijft")
    SignalFactory(person=obliged, code=SignalCode.SS400)
    moved = elip_person(AMSTERDAM, last_name="Vertrokken")
    SignalFactory(person=moved, code=SignalCode.SS400)
    person_move(
        person=moved,
        municipality=municipality(GRONINGEN),
        street="Kempkensberg",
        house_number=6,
        postcode="9722 TB",
        city="Groningen",
        on_date=dt.date(2023, 6, 20),
    )
    ended = elip_person(AMSTERDAM, last_name="Klaar")
    obligation_end(person=ended, status=ObligationStatus.MET, on_date=dt.date(2023, 6, 21))
    return {"obliged": obliged, "moved": moved, "ended": ended}


def results(client):
    response = client.get("/signalen/resultaten/alle/")
    assert response.status_code == 200
    return page(response)


def test_bsn_links_only_where_the_user_may_follow_them(client, people):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS, Role.ELIP_PERSONS]}))
    html = results(client)
    for key in ("obliged", "ended"):
        person = people[key]
        assert f'href="/elip/personen/{person.public_id}/"' in row_of(html, person.bsn), key
        assert client.get(f"/elip/personen/{person.public_id}/").status_code == 200
    moved = people["moved"]
    assert html.count(moved.bsn) >= 2  # SS400 and SS404, both shown
    assert f"/elip/personen/{moved.public_id}/" not in html
    assert client.get(f"/elip/personen/{moved.public_id}/").status_code == 404


def test_moved_out_person_shows_bsn_and_name_marked_verhuisd(client, people):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS, Role.ELIP_PERSONS]}))
    html = results(client)
    moved_rows = re.findall(
        r'<tr class="utrecht-table__row">(?:(?!</tr>).)*?' + people["moved"].bsn + r".*?</tr>", html
    )
    assert len(moved_rows) == 2  # SS400 and SS404
    for row in moved_rows:
        assert "Vertrokken" in row and "verhuisd" in row and 'href="/elip/' not in row
    assert "verhuisd" not in row_of(html, people["obliged"].bsn)


def test_signals_only_role_gets_no_bsn_links(client, people):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS]}))
    html = results(client)
    assert "/elip/personen/" not in html
    for person in people.values():
        assert person.bsn in html


def test_after_the_ss402_signal_is_gone_the_link_is_gone(client, people):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS, Role.ELIP_PERSONS]}))
    ended = people["ended"]
    SignalFactory(person=ended, code=SignalCode.SS400)
    Signal.objects.filter(person=ended, code=SignalCode.SS402).delete()
    html = results(client)
    assert ended.bsn in html
    assert f"/elip/personen/{ended.public_id}/" not in html


def test_doelgroep_column_in_the_manuals_order(client, people):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS]}))
    html = results(client)
    headers = re.findall(r'<th class="utrecht-table__header-cell" scope="col"[^>]*>(.*?)</th>', html)
    names = [re.sub(r"<label.*?</label>|<[^>]+>|[▲▼]", "", h).strip() for h in headers]
    assert names == ["Status", "BSN", "Achternaam", "Doelgroep", "Code", "Omschrijving", "Datum", "Contactpersoon"]
    assert '<td class="utrecht-table__cell">Wi2013</td>' in row_of(html, people["obliged"].bsn)


def test_dates_and_status_do_not_wrap_and_the_page_is_not_capped(client, people):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS]}))
    html = results(client)
    assert 'class="page page--wide"' in html
    row = row_of(html, people["obliged"].bsn)
    assert re.search(r'<td class="utrecht-table__cell nowrap">\d\d-\d\d-\d{4}</td>', row)
    assert '<td class="utrecht-table__cell nowrap"><input type="checkbox"' in row


# --- select all found signals, across pages, without JavaScript ----------------------------------


@pytest.fixture
def many(client):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS]}))
    person = elip_person(AMSTERDAM, last_name="Veel")
    return SignalFactory.create_batch(45, person=person, code=SignalCode.SS401)


def test_select_all_found_signals_changes_every_page(client, many):
    html = page(client.get("/signalen/resultaten/alle/"))
    assert "Selecteer alle 45 gevonden signalen" in html
    first_page = [int(v) for v in re.findall(r'name="pagina_signaal" value="(\d+)"', html)]
    assert len(first_page) == 20
    # The button is a submit of the same form: no JavaScript needed.
    response = client.post("/signalen/resultaten/alle/", {"actie": "alle_gevonden", "pagina": "1"})
    assert response.status_code == 302 and "selectie=alle" in response["Location"]
    html = page(client.get(response["Location"]))
    assert "Alle 45 gevonden signalen zijn geselecteerd" in html
    assert html.count('name="signaal"') == 20 and html.count("checked") >= 21  # rows + header
    assert 'name="alle_gevonden" value="1"' in html
    assert "selectie=alle" in re.search(r'href="([^"]*pagina=2[^"]*)"', html).group(1)  # kept across pages
    # Untick one on this page, then "In behandeling": the other 44 change, on every page.
    unticked = first_page[0]
    data = {
        "actie": "in_behandeling",
        "alle_gevonden": "1",
        "pagina": "1",
        "pagina_signaal": [str(i) for i in first_page],
        "signaal": [str(i) for i in first_page if i != unticked],
        "alle": "1",
    }
    assert client.post("/signalen/resultaten/alle/", data).status_code == 302
    statuses = dict(Signal.objects.values_list("pk", "status"))
    assert statuses.pop(unticked) == SignalStatus.NEW
    assert set(statuses.values()) == {SignalStatus.IN_PROGRESS} and len(statuses) == 44


def test_without_select_all_found_only_the_ticked_change(client, many):
    ids = [s.pk for s in many[:2]]
    data = {"actie": "afgehandeld", "pagina": "1", "signaal": [str(i) for i in ids]}
    client.post("/signalen/resultaten/alle/", data)
    assert Signal.objects.filter(status=SignalStatus.DONE).count() == 2


def test_select_all_found_is_limited_to_the_search(client, many):
    other = SignalFactory(person=many[0].person, code=SignalCode.SS400)
    response = client.post(SEARCH, {"zoek": "1", "code": "SS401"})
    results_url = response["Location"]
    data = {"actie": "afgehandeld", "alle_gevonden": "1", "pagina": "1"}
    client.post(results_url, data)
    other.refresh_from_db()
    assert other.status == SignalStatus.NEW
    assert Signal.objects.filter(code=SignalCode.SS401, status=SignalStatus.DONE).count() == 45


def test_one_page_of_results_offers_no_select_all_found(client):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS]}))
    SignalFactory(person=elip_person(AMSTERDAM))
    assert "Selecteer alle" not in page(client.get("/signalen/resultaten/alle/")).replace(
        "Selecteer alle signalen op deze pagina", ""
    )


# --- back to the search keeps the criteria ------------------------------------------------------


def test_back_from_results_keeps_the_criteria(client, many):
    person = many[0].person
    response = client.post(
        SEARCH,
        {
            "zoek": "1",
            "bsn": person.bsn,
            "code": "SS401",
            "status": "nieuw",
            "date_from_0": "1",
            "date_from_1": "6",
            "date_from_2": "2023",
        },
    )
    html = page(client.get(response["Location"]))
    back = re.search(r'<a class="utrecht-link link-back" href="([^"]+)"', html).group(1)
    assert back.startswith("/signalen/?zoekopdracht=")
    assert person.bsn not in back  # only the opaque search id travels in the URL
    form = page(client.get(back.replace("&amp;", "&")))
    assert f'value="{person.bsn}"' in form
    assert re.search(r'<option value="SS401" selected>', form)
    assert re.search(r'<option value="nieuw" selected>', form)
    assert 'value="2023"' in form


def test_back_with_an_unknown_search_id_shows_an_empty_form(client, many):
    response = client.get(SEARCH + "?zoekopdracht=onbekend123")
    assert response.status_code == 200
    assert "selected>SS401" not in page(response)
