import pytest

from tests.signals.factories import signals_user


@pytest.fixture
def user(db):
    return signals_user("GM0363")


@pytest.fixture
def client_signals(client, user):
    client.force_login(user)
    return client
