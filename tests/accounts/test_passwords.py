"""Password rules: at least 12 characters, not (built around) a common password from Django's list
or the Dutch list in accounts/data/, at least 5 different characters; also in the admin's forms."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.pib.factories import UserFactory


@pytest.mark.parametrize(
    "password",
    [
        "Welkom123456",  # the examples
        "aaaaaaaaaaaa",
        "wachtwoord2025",
        "!!Feyenoord1908",
        "Voetbal12345678",
        "Amsterdam-2025!",
        "121212121212",
        "Kort-1x",  # too short
        "123456789012",  # numeric
        "password12345",  # Django's common list
    ],
)
def test_weak_passwords_are_refused_in_dutch(password):
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        validate_password(password)
    text = " ".join(error.value.messages)
    assert "wachtwoord" in text.lower() or "tekens" in text


@pytest.mark.parametrize("password", ["Paars-vlinder-fiets-42", "Xq7!mZ2#rT9p", "inburgering-Ligusterhaag9"])
def test_good_passwords_pass(password):
    validate_password(password)


@pytest.mark.django_db
def test_an_admin_cannot_create_a_user_with_a_common_password(client):
    admin = UserFactory(username="duo-beheer", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/beheer/auth/user/add/",
        {"username": "nieuw", "usable_password": "true", "password1": "Welkom123456", "password2": "Welkom123456"},
    )
    assert response.status_code == 200
    assert "veelgebruikt wachtwoord" in response.content.decode()
    assert not get_user_model().objects.filter(username="nieuw").exists()
    response = client.post(
        "/beheer/auth/user/add/",
        {
            "username": "nieuw",
            "usable_password": "true",
            "password1": "Paars-vlinder-fiets-42",
            "password2": "Paars-vlinder-fiets-42",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="nieuw").exists()
