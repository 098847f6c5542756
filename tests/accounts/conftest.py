import pytest
from django.test import Client

from tests.pib.factories import UserFactory

PASSWORD = "geheim-wachtwoord-123"  # UserFactory's


@pytest.fixture
def anna(db):
    from pib.constants import Role

    return UserFactory(username="anna", roles={"GM0014": [Role.ELIP_PERSONS], "GM0363": [Role.ELIP_PERSONS]})


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/inloggen/", {"username": username, "password": password}, **extra)
