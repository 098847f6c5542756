"""Second factor for every local account (portal and /beheer/): TOTP enrolment by QR code,
single-use backup codes; a password alone opens nothing."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import issue_backup_codes
from tests.accounts.conftest import password_step
from tests.pib.factories import UserFactory

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_password_alone_opens_no_portal_page_and_no_beheer():
    UserFactory(username="beheer", is_staff=True, is_superuser=True)
    client = Client()
    assert password_step(client, "beheer")["Location"] == "/inloggen/tweede-stap/?next=%2F"
    for url in ("/", "/elip/personen/", "/signalen/", "/beheer/", "/beheer/auth/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/inloggen/tweede-stap/?next="), url


def test_beheer_signs_in_through_the_portal_login():
    response = Client().get("/beheer/login/?next=/beheer/auth/user/")
    assert response.status_code == 302 and response["Location"] == "/inloggen/?next=/beheer/auth/user/"
    response = Client().get("/beheer/login/?next=https://evil.example/")
    assert response["Location"] == "/inloggen/?next=/beheer/"


def test_enrolment_by_qr_code_then_backup_codes(anna):
    client = Client()
    password_step(client, "anna")
    response = client.get("/inloggen/tweede-stap/?next=/elip/personen/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/inloggen/authenticator-koppelen/")
    page = response.content.decode()
    assert "<svg" in page and "<path" in page and "style=" not in page
    device = TOTPDevice.objects.get(user=anna, confirmed=False)
    wrong = client.post("/inloggen/authenticator-koppelen/", {"token": "000000", "next": "/elip/personen/"})
    assert "Deze code is onjuist" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    key_before = client.session.session_key
    done = client.post("/inloggen/authenticator-koppelen/", {"token": code_for(device), "next": "/elip/personen/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.session.session_key != key_before  # a new key at the second factor
    assert client.get("/elip/personen/").status_code == 200
    # With an app coupled, a password holder cannot couple another device.
    other = Client()
    password_step(other, "anna")
    response = other.get("/inloggen/authenticator-koppelen/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/tweede-stap/")


def test_a_backup_code_works_once(anna):
    code = issue_backup_codes(anna)[0]
    first = Client()
    password_step(first, "anna")
    response = first.post("/inloggen/tweede-stap/", {"token": code.upper(), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert first.get("/").status_code == 200
    second = Client()
    password_step(second, "anna")
    response = second.post("/inloggen/tweede-stap/", {"token": code, "next": "/"})
    assert response.status_code == 200
    assert "Deze code is onjuist of al gebruikt" in response.content.decode()
    assert second.get("/")["Location"].startswith("/inloggen/tweede-stap/")


def test_totp_code_signs_in_and_wrong_codes_are_throttled(anna, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # the first wait: one minute (production: 1 s, doubling)
    device = TOTPDevice.objects.create(user=anna, name="Authenticator-app", confirmed=True)
    client = Client()
    password_step(client, "anna")
    for bad in ("123456", "abc!", ""):
        response = client.post("/inloggen/tweede-stap/", {"token": bad})
        assert response.status_code == 200 and "utrecht-form-field-error-message" in response.content.decode()
    throttled = client.post("/inloggen/tweede-stap/", {"token": code_for(device)})
    assert "Wacht even" in throttled.content.decode()  # django-otp's growing wait after a wrong code
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/inloggen/tweede-stap/", {"token": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_backup_codes_command_prints_codes_for_make_demo(anna, capsys):
    call_command("backup_codes", "anna")
    first = capsys.readouterr().out
    codes = re.findall(r"\b[a-z0-9]{8}\b", first.split("anna", 1)[1])
    assert len(codes) == 10
    call_command("backup_codes", "anna")
    assert capsys.readouterr().out == first  # still unused: the same codes
