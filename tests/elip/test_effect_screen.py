"""Effect ELIP-brief (issue 15 point 3): the municipality's own cohorts against the national figures,
for the role Beheren ELIP brief only; aggregates only, "< 10" (DOMAIN.md "Figures")."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from elip.services.registry import person_update
from pib.constants import ObligationStatus, Role
from tests.letters.factories import LetterFactory
from tests.pib.factories import PersonFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
URL = reverse("elip:effect")


def lettered(code, n, last_name="Persoon"):
    people = [PersonFactory(code=code, last_name=f"{last_name}{i}") for i in range(n)]
    for person in people:
        LetterFactory(person=person, letter_date=dt.date(2024, 1, 10))
    return people


def client_with(roles, code="GM0014"):
    client = Client()
    client.force_login(UserFactory(roles={code: roles}))
    return client


def test_only_the_role_beheren_elip_brief_opens_it():
    assert client_with([Role.ELIP_PERSONS, Role.ELIP_SIGNALS]).get(URL).status_code == 403
    assert client_with([Role.ELIP_LETTER]).get(URL).status_code == 200
    assert Client().get(URL).status_code == 302


def test_own_figures_against_national_with_small_cells_hidden(django_assert_max_num_queries):
    own = lettered("GM0014", 12, "Eigen")
    for person in own[:3]:
        person_update(person=person, obligation_status=ObligationStatus.MET)  # today: after the letter
    lettered("GM0363", 15)
    lettered("GM0599", 15)
    client = client_with([Role.ELIP_LETTER])
    client.get(URL)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"na": "12"})
    html = response.content.decode()
    assert "Uw gemeente: Groningen" in html and "1e kwartaal 2024" in html  # quarters unless asked
    assert "&lt; 10" in html
    assert ">42<" in html  # national members: 12 + 15 + 15, three municipalities
    for person in own:
        assert person.last_name not in html and person.bsn not in html
    assert 'id="chart-effect-gemeente-title"' in html


def test_a_municipality_sees_quarters_by_default_and_months_when_it_asks():
    """Its own monthly cohorts are mostly under 10 persons, so its screen starts with quarters."""
    lettered("GM0014", 12)
    client = client_with([Role.ELIP_LETTER])
    assert "1e kwartaal 2024" in client.get(URL, {"na": "12"}).content.decode()
    html = client.get(URL, {"na": "12", "periode": "maand"}).content.decode()
    assert "januari 2024" in html and "1e kwartaal 2024" not in html
    assert "Cohort (maand van de brief)" in html
    assert "Cohort (kwartaal van de brief)" in client.get(URL).content.decode()


def test_national_figures_are_hidden_when_one_other_municipality_would_be_revealed():
    lettered("GM0014", 12)
    lettered("GM0363", 15)
    html = client_with([Role.ELIP_LETTER]).get(URL).content.decode()
    assert ">27<" not in html  # 12 + 15: national minus own would be Amsterdam's own figures


@pytest.mark.parametrize("query", ["?na=5", "?periode=%00", "?uitkomst=<b>", "?na=12&periode=kwartaal"])
def test_bad_or_other_options_show_a_page(query):
    lettered("GM0014", 3)
    assert client_with([Role.ELIP_LETTER]).get(URL + query).status_code == 200
