"""The municipal Mijn DUO-beheerder (manual ch. 2): accounts for colleagues, the manual's account
roles for the own municipality only, activation codes by e-mail (a real SMTP server on loopback),
single use, 24 hours, stored hashed; every change logged."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from mijnduo import services
from mijnduo.constants import GRANTABLE_ROLES, AccountAction
from mijnduo.models import AccountChange, ActivationCode
from pib.constants import Role
from pib.models import Authorisation
from tests.pib.factories import UserFactory, municipality

pytestmark = pytest.mark.django_db
User = get_user_model()
GRONINGEN, AMSTERDAM = "GM0014", "GM0363"
PASSWORD = "Zeer-Lang-Wachtwoord-2026!"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def beheerder(db):
    return UserFactory(username="beheerder", roles={GRONINGEN: [Role.MIJN_DUO_ADMIN, Role.ELIP_LETTER]})


@pytest.fixture
def admin_client(client, beheerder):
    client.force_login(beheerder)
    return client


def new_account(client, **overrides):
    data = {
        "username": "j.jansen",
        "first_name": "Jan",
        "last_name": "Jansen",
        "email": "j.jansen@groningen.nl",
        "roles": [Role.ELIP_PERSONS, Role.ELIP_SIGNALS],
        **overrides,
    }
    return client.post(reverse("mijnduo:user_create"), data)


def code_from(inbox, n=-1) -> str:
    return re.search(r"Uw activatiecode: ([A-Z0-9-]+)", inbox.bodies()[n]).group(1)


def activate(client, username="j.jansen", code="", password=PASSWORD, password2=None):
    return client.post(
        reverse("mijnduo:activate"),
        {"username": username, "code": code, "password1": password, "password2": password2 or password},
    )


# --- creating an account, the e-mail through real SMTP ------------------------------------------


def test_beheerder_creates_an_account_and_the_code_is_mailed_over_smtp(admin_client, beheerder, smtp_server):
    with time_machine.travel(NOW, tick=False):
        response = new_account(admin_client)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="j.jansen")
    assert not user.has_usable_password()
    assert {a.role for a in Authorisation.objects.filter(user=user)} == {Role.ELIP_PERSONS, Role.ELIP_SIGNALS}
    assert set(Authorisation.objects.filter(user=user).values_list("municipality__code", flat=True)) == {GRONINGEN}
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["to"] == ["j.jansen@groningen.nl"]
    body = smtp_server.bodies()[0]
    assert "Uw gebruikersnaam: j.jansen" in body
    assert "gemeente Groningen" in body
    assert "tot 03-03-2026 10:00 uur" in body  # 24 hours, Europe/Amsterdam
    code = code_from(smtp_server)
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    stored = ActivationCode.objects.get(user=user)
    plain = code.replace("-", "")
    assert plain not in stored.code_hash and len(stored.code_hash) == 64  # only a keyed hash is stored
    actions = list(
        AccountChange.objects.filter(user=user).order_by("pk").values_list("action", "role", "actor_username")
    )
    assert actions == [
        (AccountAction.CREATED, "", "beheerder"),
        (AccountAction.GRANTED, Role.ELIP_PERSONS, "beheerder"),
        (AccountAction.GRANTED, Role.ELIP_SIGNALS, "beheerder"),
        (AccountAction.CODE_SENT, "", "beheerder"),
    ]


def test_colleague_activates_once_with_the_code_and_then_logs_in(client, admin_client, smtp_server):
    new_account(admin_client)
    code = code_from(smtp_server)
    admin_client.logout()
    response = activate(client, code=code.lower())  # case and dashes do not matter
    assert response.status_code == 302 and response["Location"].startswith(reverse("enrol_totp"))
    client.logout()
    user = User.objects.get(username="j.jansen")
    assert user.check_password(PASSWORD)
    assert client.login(username="j.jansen", password=PASSWORD)
    client.logout()
    again = activate(client, code=code, password="Nog-Een-Ander-Wachtwoord-99")
    assert again.status_code == 400
    assert "onjuist, al gebruikt of verlopen" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # single use: the second try changed nothing
    assert AccountChange.objects.filter(user=user, action=AccountAction.ACTIVATED).count() == 1


def test_code_expires_after_24_hours(client, admin_client, smtp_server):
    with time_machine.travel(NOW, tick=False):
        new_account(admin_client)
    code = code_from(smtp_server)
    with time_machine.travel(NOW + dt.timedelta(hours=24, seconds=1), tick=False):
        response = activate(client, code=code)
    assert response.status_code == 400
    assert not User.objects.get(username="j.jansen").has_usable_password()
    with time_machine.travel(NOW + dt.timedelta(hours=23, minutes=59), tick=False):
        assert activate(client, code=code).status_code == 302


def test_five_wrong_codes_revoke_the_code(client, admin_client, smtp_server):
    new_account(admin_client)
    code = code_from(smtp_server)
    for _ in range(5):
        assert activate(client, code="AAAA-BBBB-CCCC-DDDD").status_code == 400
    assert activate(client, code=code).status_code == 400
    assert ActivationCode.objects.get().revoked_at is not None


def test_wrong_username_and_weak_password_are_refused_in_dutch(client, admin_client, smtp_server):
    new_account(admin_client)
    code = code_from(smtp_server)
    response = activate(client, username="iemand.anders", code=code)
    assert response.status_code == 400 and "onjuist, al gebruikt of verlopen" in response.content.decode()
    weak = activate(client, code=code, password="kort")
    assert weak.status_code == 400
    assert "Dit wachtwoord is te kort" in weak.content.decode(), re.findall(
        r"utrecht-form-field-error-message.*", weak.content.decode()
    )
    mismatch = activate(client, code=code, password=PASSWORD, password2=PASSWORD + "x")
    assert "De twee wachtwoorden zijn niet gelijk." in mismatch.content.decode()
    assert activate(client, code=code).status_code == 302  # the weak try used nothing up


def test_a_new_code_revokes_the_old_one(admin_client, client, smtp_server):
    new_account(admin_client)
    old = code_from(smtp_server)
    user = User.objects.get(username="j.jansen")
    response = admin_client.post(reverse("mijnduo:user_send_code", kwargs={"user_id": user.pk}))
    assert response.status_code == 302
    new = code_from(smtp_server)
    assert new != old
    assert activate(client, code=old).status_code == 400
    assert activate(client, code=new).status_code == 302


def test_no_code_for_an_activated_account(admin_client, smtp_server):
    colleague = UserFactory(username="actief", email="a@groningen.nl", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    response = admin_client.post(reverse("mijnduo:user_send_code", kwargs={"user_id": colleague.pk}), follow=True)
    assert "Dit account is al geactiveerd." in response.content.decode()
    assert smtp_server.messages == []
    assert colleague.has_usable_password()


def test_when_the_mail_cannot_be_sent_nothing_is_saved(admin_client, closed_smtp_port):
    response = new_account(admin_client)
    assert response.status_code == 400
    assert "De e-mail met de activatiecode kon niet worden verstuurd." in response.content.decode()
    assert not User.objects.filter(username="j.jansen").exists()
    assert not AccountChange.objects.exists()


def test_username_taken_and_bad_input_give_dutch_errors(admin_client, smtp_server):
    UserFactory(username="bestaat")
    page = new_account(admin_client, username="BESTAAT").content.decode()
    assert "Deze gebruikersnaam bestaat al." in page
    page = new_account(admin_client, username="", email="geen-mail", roles=["superuser"]).content.decode()
    assert "Vul een gebruikersnaam in." in page
    assert "Vul een geldig e-mailadres in" in page
    assert "Kies alleen accountrollen uit de lijst." in page
    assert smtp_server.messages == []


# --- roles: own municipality only, no escalation --------------------------------------------------


def test_grant_and_remove_roles_for_the_own_municipality_only_logged(admin_client, beheerder):
    colleague = UserFactory(
        username="collega",
        roles={GRONINGEN: [Role.ELIP_PERSONS], AMSTERDAM: [Role.ELIP_SIGNALS, Role.ELIP_PERSONS]},
    )
    url = reverse("mijnduo:user_roles", kwargs={"user_id": colleague.pk})
    page = admin_client.get(url).content.decode()
    assert "accountrollen voor een andere gemeente" in page
    response = admin_client.post(url, {"roles": [Role.ELIP_SIGNALS, Role.ELIP_LETTER]})
    assert response.status_code == 302
    groningen = set(
        Authorisation.objects.filter(user=colleague, municipality__code=GRONINGEN).values_list("role", flat=True)
    )
    amsterdam = set(
        Authorisation.objects.filter(user=colleague, municipality__code=AMSTERDAM).values_list("role", flat=True)
    )
    assert groningen == {Role.ELIP_SIGNALS, Role.ELIP_LETTER}
    assert amsterdam == {Role.ELIP_SIGNALS, Role.ELIP_PERSONS}  # never touched
    log = set(
        AccountChange.objects.filter(user=colleague).values_list(
            "action", "role", "actor_username", "municipality__code"
        )
    )
    assert log == {
        (AccountAction.GRANTED, Role.ELIP_SIGNALS, "beheerder", GRONINGEN),
        (AccountAction.GRANTED, Role.ELIP_LETTER, "beheerder", GRONINGEN),
        (AccountAction.REMOVED, Role.ELIP_PERSONS, "beheerder", GRONINGEN),
    }
    log_page = admin_client.get(reverse("mijnduo:log")).content.decode()
    assert "Accountrol ingetrokken" in log_page and "Raadplegen ELIP personen" in log_page and "collega" in log_page


def test_beheerder_cannot_change_own_roles_or_grant_the_beheerder_role(admin_client, beheerder):
    own = reverse("mijnduo:user_roles", kwargs={"user_id": beheerder.pk})
    assert admin_client.get(own).status_code == 404
    assert admin_client.post(own, {"roles": list(GRANTABLE_ROLES)}).status_code == 404
    colleague = UserFactory(username="collega", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    response = admin_client.post(
        reverse("mijnduo:user_roles", kwargs={"user_id": colleague.pk}), {"roles": [Role.MIJN_DUO_ADMIN]}
    )
    assert response.status_code == 400
    assert "Kies alleen accountrollen uit de lijst." in response.content.decode()
    assert not Authorisation.objects.filter(role=Role.MIJN_DUO_ADMIN).exclude(user=beheerder).exists()
    with pytest.raises(services.AccountAdminError):
        services.roles_set(
            actor=beheerder, municipality=municipality(GRONINGEN), user=beheerder, roles=[Role.VIEW_2007]
        )
    with pytest.raises(services.AccountAdminError):
        services.roles_set(
            actor=beheerder, municipality=municipality(GRONINGEN), user=colleague, roles=[Role.MIJN_DUO_ADMIN]
        )
    assert set(Authorisation.objects.filter(user=beheerder).values_list("role", flat=True)) == {
        Role.MIJN_DUO_ADMIN,
        Role.ELIP_LETTER,
    }


def test_another_municipalitys_colleague_and_duo_accounts_are_out_of_reach(admin_client, beheerder):
    foreign = UserFactory(username="amsterdammer", roles={AMSTERDAM: [Role.ELIP_PERSONS]})
    duo = UserFactory(username="duo", is_staff=True, is_superuser=True, roles={GRONINGEN: [Role.ELIP_PERSONS]})
    for user in (foreign, duo):
        for name in ("mijnduo:user_roles", "mijnduo:user_send_code"):
            url = reverse(name, kwargs={"user_id": user.pk})
            assert admin_client.post(url, {"roles": [Role.ELIP_LETTER]}).status_code == 404
    listing = admin_client.get(reverse("mijnduo:users")).content.decode()
    assert "amsterdammer" not in listing and ">duo<" not in listing
    assert not Authorisation.objects.filter(user=foreign, municipality__code=GRONINGEN).exists()
    with pytest.raises(services.AccountAdminError):
        services.roles_set(actor=beheerder, municipality=municipality(AMSTERDAM), user=foreign, roles=[])


def test_only_a_beheerder_of_the_chosen_municipality_gets_in(client):
    plain = UserFactory(username="gewoon", roles={GRONINGEN: list(GRANTABLE_ROLES)})
    elsewhere = UserFactory(username="elders", roles={AMSTERDAM: [Role.MIJN_DUO_ADMIN], GRONINGEN: [Role.ELIP_PERSONS]})
    for user in (plain,):
        client.force_login(user)
        for name in ("mijnduo:users", "mijnduo:user_create", "mijnduo:log"):
            response = client.get(reverse(name))
            assert response.status_code == 403
            assert "Mijn DUO-beheerder" in response.content.decode()
    client.force_login(elsewhere)
    client.post(reverse("choose_municipality"), {"gemeente": municipality(GRONINGEN).pk, "next": "/"})
    assert client.get(reverse("mijnduo:users")).status_code == 403


def test_users_list_shows_colleagues_roles_and_status(admin_client, smtp_server):
    new_account(admin_client)
    UserFactory(username="actief", first_name="Anna", last_name="Actief", roles={GRONINGEN: [Role.ELIP_LETTER]})
    page = re.sub(r"\s+", " ", admin_client.get(reverse("mijnduo:users")).content.decode())
    assert "j.jansen" in page and "Wacht op activatie" in page
    assert "actief" in page and "Actief" in page and "Beheren ELIP brief" in page
    assert "U zelf" in page


def test_start_screen_shows_the_part_for_the_beheerder(admin_client):
    page = admin_client.get(reverse("start")).content.decode()
    assert "Gebruikers en accountrollen" in page and reverse("mijnduo:users") in page
