"""DOMAIN.md "Visibility and roles": when an ELIP person's obligation ends (SS402) the person
leaves "Overzicht ELIP" and its count at once, stays reachable from the SS402 signal with the end
status and date, and is not visible at all once that signal is gone. No person name in <title>."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from elip.services.registry import obligation_end
from pib.constants import ObligationStatus, Role
from signals.constants import SignalCode
from signals.models import Signal
from tests.elip.persons_data import GRONINGEN, full_history
from tests.pib.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def elip_person(code, **kwargs):
    """An ELIP person (the letter was sent) living in ``code``."""
    return PersonFactory(code=code, elip=True, **kwargs)


ENDED_ON = dt.date(2025, 4, 9)


@pytest.fixture
def ended():
    person = elip_person(GRONINGEN, first_names="Olga", last_name="Koblikova")
    obligation_end(person=person, status=ObligationStatus.MET, on_date=ENDED_ON)
    return person


@pytest.fixture
def obliged():
    return elip_person(GRONINGEN, first_names="Samir", last_name="Fayed")


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), flags=re.S).group(1)


def test_ended_person_leaves_the_overview_and_its_count(client_a, ended, obliged):
    search = client_a.get(reverse("elip:persons_search")).content.decode()
    assert "Er is 1 inburgeringsplichtige die voldoet aan ELIP." in search
    listing = client_a.get(reverse("elip:persons_list")).content.decode()
    assert "Fayed" in listing
    assert "Koblikova" not in listing and ended.bsn not in listing


def test_ended_person_is_not_found_by_the_bsn_search(client_a, ended):
    response = client_a.post(reverse("elip:persons_search"), {"bsn": ended.bsn})
    assert response.status_code == 200
    assert "Er is geen ELIP-inburgeraar gevonden met dit burgerservicenummer." in response.content.decode()


def test_ended_person_detail_shows_end_status_and_date_while_the_ss402_signal_exists(client_a, ended):
    assert Signal.objects.filter(person=ended, code=SignalCode.SS402).exists()
    response = client_a.get(reverse("elip:person_detail", kwargs={"public_id": ended.public_id}))
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "De inburgeringsplicht is beëindigd: Voldaan op 09-04-2025." in page
    assert "Status inburgeringsplicht</dt><dd>Voldaan (sinds 09-04-2025)" in page
    assert 'href="/elip/personen/overzicht/"' not in page  # not back to a list it is no longer in
    # no Routewijzer: there is no way out of an obligation that has ended
    assert "Routewijzer" not in page and "Ontheffingsroute" not in page


def test_ended_person_sub_screens_follow_the_same_rule(client_a, ended):
    data = full_history(ended)
    url = reverse("elip:person_contract", kwargs={"public_id": ended.public_id, "pk": data["contract"].pk})
    assert client_a.get(url).status_code == 200
    Signal.objects.filter(person=ended, code=SignalCode.SS402).delete()
    assert client_a.get(url).status_code == 404


def test_ended_person_is_not_visible_once_the_ss402_signal_is_gone(client_a, ended):
    Signal.objects.filter(person=ended, code=SignalCode.SS402).delete()
    response = client_a.get(reverse("elip:person_detail", kwargs={"public_id": ended.public_id}))
    assert response.status_code == 404
    assert ended.bsn not in response.content.decode()


def test_an_ss402_signal_of_another_municipality_opens_nothing(client, ended):
    Signal.objects.filter(person=ended, code=SignalCode.SS402).update(municipality_id=ended.municipality_id)
    other = UserFactory(username="ams", roles={"GM0363": [Role.ELIP_PERSONS]})
    client.force_login(other)
    assert client.get(reverse("elip:person_detail", kwargs={"public_id": ended.public_id})).status_code == 404


def test_no_person_name_in_the_page_title(client_a, obliged):
    data = full_history(obliged)
    kw = {"public_id": obliged.public_id}
    for url in [
        reverse("elip:person_detail", kwargs=kw),
        reverse("elip:person_exam", kwargs={**kw, "component": data["exams"][1].component}),
        reverse("elip:person_contract", kwargs={**kw, "pk": data["contract"].pk}),
        reverse("elip:person_invoice", kwargs={**kw, "pk": data["invoices"][0].pk}),
    ]:
        response = client_a.get(url)
        assert response.status_code == 200, url
        page_title = title(response)
        assert "Fayed" not in page_title and "Samir" not in page_title and obliged.bsn not in page_title, page_title
    assert "Details ELIP-inburgeraar" in title(client_a.get(reverse("elip:person_detail", kwargs=kw)))
