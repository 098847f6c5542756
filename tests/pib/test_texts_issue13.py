"""Texts the issue-13 walk-through found wrong: logout says so, "ten minste", full stops, and a
confirmation text that names the button it stands above."""

import re

import pytest
from django.urls import reverse

from elip.services import enrolment
from pib.constants import Role
from tests.pib.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_logout_lands_on_the_login_page_saying_u_bent_uitgelogd(client):
    client.force_login(UserFactory(roles={"GM0014": [Role.ELIP_SIGNALS]}))
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    html = response.content.decode()
    assert "U bent uitgelogd." in html
    assert "Inloggen Portal Inburgering" in html
    assert client.get(reverse("start")).status_code == 302  # really logged out


def test_logout_is_post_only(client):
    client.force_login(UserFactory(roles={"GM0014": [Role.ELIP_SIGNALS]}))
    assert client.get(reverse("logout")).status_code == 405


def test_enrolment_messages_write_ten_minste_and_end_with_a_full_stop():
    messages = [v for k, v in vars(enrolment).items() if k.startswith("MSG_") and isinstance(v, str)]
    assert messages
    for message in messages:
        assert "tenminste" not in message
        assert message.endswith((".", "?", "!")), message
    assert enrolment.MSG_PHONE_OR_EMAIL == "U moet ten minste een telefoonnummer of een e-mailadres invullen."


def test_enrol_form_intro_writes_ten_minste(client):
    client.force_login(UserFactory(roles={"GM0014": [Role.ELIP_LETTER]}))
    html = client.get(reverse("elip:brief_enrol")).content.decode()
    assert "ten minste een telefoonnummer" in html and "tenminste" not in html


FORM = {
    "letter_phone": "06 1111 2222",
    "letter_email": "",
    "letter_website": "",
    "contact_name": "Test Groningen",
    "contact_phone": "",
    "contact_email": "",
    "contact_postcode": "",
    "contact_house_number": "",
    "contact_house_number_addition": "",
    "contact_street": "",
    "contact_city": "",
}


def test_enrol_confirmation_text_names_its_button(client):
    client.force_login(UserFactory(roles={"GM0014": [Role.ELIP_LETTER]}))
    html = client.post(reverse("elip:brief_enrol"), FORM).content.decode()
    button = re.search(r'<button type="submit" class="[^"]*">([^<]+)</button>', html.split('class="confirm-panel"')[1])
    assert button.group(1) == "Aanmelden"
    assert "Klik op 'Aanmelden' om de aanmelding definitief te maken." in html
    assert "Versturen" not in html.split('class="confirm-panel"')[1].split("</form>")[0]
