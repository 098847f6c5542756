"""The municipality assigns a contact person (one of its users) to a person it has signals of."""

import pytest

from pib.constants import Role
from pib.models import ReadLogEntry
from signals.models import PersonContact
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    person = PersonFactory(municipality=municipality("GM0363"), last_name="Da Costa")
    SignalFactory(person=person)
    return person


def url(person):
    return f"/signalen/contactpersoon/{person.public_id}/"


def test_assign_contact_person_and_see_it_in_the_list(client_signals, person):
    colleague = UserFactory(username="collega", first_name="Petra", last_name="de Vries",
                            roles={"GM0363": [Role.ELIP_PERSONS]})  # fmt: skip
    page = client_signals.get(url(person)).content.decode()
    assert "Petra de Vries" in page and person.bsn in page
    assert ReadLogEntry.objects.filter(screen="Contactpersoon signalen", person=person).exists()
    response = client_signals.post(url(person), {"medewerker": colleague.pk, "terug": "/signalen/resultaten/alle/"})
    assert response["Location"] == "/signalen/resultaten/alle/"
    assert PersonContact.objects.get(person=person).user == colleague
    listing = client_signals.get("/signalen/resultaten/alle/").content.decode()
    assert "Petra de Vries" in listing
    assert f"/signalen/contactpersoon/{person.public_id}/?terug=" in listing
    client_signals.post(url(person), {"medewerker": ""})
    assert not PersonContact.objects.exists()


def test_user_of_another_municipality_cannot_be_chosen(client_signals, person):
    outsider = UserFactory(username="buiten", roles={"GM0599": [Role.ELIP_SIGNALS]})
    response = client_signals.post(url(person), {"medewerker": outsider.pk})
    assert response.status_code == 400
    assert "Kies een medewerker van uw gemeente." in response.content.decode()
    assert not PersonContact.objects.exists()


def test_person_without_signals_for_this_municipality_is_404(client_signals):
    foreign = PersonFactory(municipality=municipality("GM0599"))
    SignalFactory(person=foreign)
    assert client_signals.get(url(foreign)).status_code == 404
    assert client_signals.post(url(foreign), {"medewerker": ""}).status_code == 404
    assert client_signals.get("/signalen/contactpersoon/not-a-uuid/").status_code == 404


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/beheer/"])
def test_back_url_stays_in_the_signals_screens(client_signals, person, user, back):
    response = client_signals.post(url(person), {"medewerker": user.pk, "terug": back})
    assert response["Location"] == "/signalen/"
