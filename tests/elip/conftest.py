import pytest

from pib.constants import Role
from tests.elip.persons_data import GRONINGEN
from tests.pib.factories import UserFactory


@pytest.fixture
def persons_user(db):
    """A case worker of Groningen with the role 'Raadplegen ELIP personen'."""
    return UserFactory(username="anna", roles={GRONINGEN: [Role.ELIP_PERSONS]})


@pytest.fixture
def client_a(client, persons_user):
    client.force_login(persons_user)
    return client
