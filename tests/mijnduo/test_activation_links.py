"""Issue 13 point 4, the rest: at activation the colleague links the account — either a password with
the second factor set up at once (the portal's one authenticator set-up, accounts' enrol_totp), or the
organisation's single-sign-on identity (accounts.oidc links it; pib.sso_links hands the checked code
over). The full SSO round trip against a real provider is in tests/e2e/test_activation_flow.py."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.oidc import PortalOIDCBackend
from mijnduo import services
from mijnduo.constants import AccountAction
from mijnduo.models import AccountChange, ActivationCode
from pib import sso_links
from pib.constants import Role
from pib.models import SsoIdentity
from tests.mijnduo.test_mijnduo import GRONINGEN, PASSWORD, code_from, new_account
from tests.pib.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
ISSUER = "https://idp.gemeente.example.nl"


@pytest.fixture
def sso(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = ISSUER


@pytest.fixture
def code(client, smtp_server):
    beheerder = UserFactory(username="beheerder", roles={GRONINGEN: [Role.MIJN_DUO_ADMIN]})
    client.force_login(beheerder)
    new_account(client)
    client.logout()
    return code_from(smtp_server)


def post(client, code, **data):
    return client.post(reverse("mijnduo:activate"), {"username": "j.jansen", "code": code, **data})


def six_digits(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_with_a_password_the_colleague_couples_the_authenticator_app_right_away(code):
    client = Client()
    response = post(client, code, password1=PASSWORD, password2=PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("enrol_totp"))
    # Signed in with the password only: every other page leads back to the second factor.
    assert client.get("/").url.startswith(reverse("second_factor"))
    page = client.get(response["Location"])
    assert "Uw account is geactiveerd. Koppel nu een authenticator-app" in page.content.decode()
    device = TOTPDevice.objects.get(user__username="j.jansen", confirmed=False)
    codes = client.post(response["Location"], {"token": six_digits(device)})
    assert codes.status_code == 200 and "back-upcodes" in codes.content.decode().lower()
    assert client.get("/").status_code == 200  # both factors: the portal opens
    assert TOTPDevice.objects.get(user__username="j.jansen").confirmed
    assert AccountChange.objects.filter(username="j.jansen", action=AccountAction.ACTIVATED).count() == 1


def test_without_single_sign_on_there_is_no_choice_and_the_password_is_required(code):
    page = Client().get(reverse("mijnduo:activate")).content.decode()
    assert "via uw organisatie" not in page.lower()
    response = post(Client(), code)
    assert response.status_code == 400 and "Kies een wachtwoord." in response.content.decode()
    assert not ActivationCode.objects.filter(used_at__isnull=False).exists()


def test_choosing_the_organisation_checks_the_code_and_goes_to_the_provider_without_using_it(sso, code):
    client = Client()
    assert "Via uw organisatie" in client.get(reverse("mijnduo:activate")).content.decode()
    response = post(client, code, method="organisatie")
    assert response.status_code == 200  # a page with the link to the provider (CSP form-action 'self')
    link = f"{reverse('oidc_authentication_init')}?next=%2Fmijn-duo%2Factiveren%2Fgekoppeld%2F"
    assert f'href="{link}"' in response.content.decode()
    pending = client.session[sso_links.PENDING]
    row = ActivationCode.objects.get()
    assert pending["user"] == row.user_id and pending["ticket"] == row.pk
    assert row.used_at is None  # used up only once the identity is linked
    assert set(pending) == {"user", "ticket", "at"}  # ids and a time: no personal data in the session


def test_a_wrong_code_with_the_organisation_counts_as_a_wrong_try_and_sends_nowhere(sso, code):
    response = post(Client(), "AAAA-BBBB-CCCC-DDDD", method="organisatie")
    assert response.status_code == 400 and "onjuist, al gebruikt of verlopen" in response.content.decode()
    assert ActivationCode.objects.get().failed_attempts == 1


def backend_with_pending(user, ticket, subject="sub-123"):
    request = RequestFactory().get("/inloggen/organisatie/terug/")
    request.session = Client().session
    sso_links.link_request(request.session, user_id=user.pk, ticket=ticket)
    backend = PortalOIDCBackend()
    backend.request = request
    return backend, request, {"sub": subject, "iss": ISSUER}


def test_the_callback_links_the_identity_to_the_account_being_activated_and_then_finds_it_by_it(sso, code):
    user = User.objects.get(username="j.jansen")
    row = ActivationCode.objects.get()
    backend, request, payload = backend_with_pending(user, row.pk)
    assert backend.link_pending(payload) == SsoIdentity.objects.get(user=user)
    assert SsoIdentity.objects.get(user=user).subject == "sub-123"
    assert sso_links.link_finished(request.session) == {"user": user.pk, "ticket": row.pk}
    assert list(backend.filter_users_by_claims({"sub": "sub-123", "email": "x"})) == [user]
    # A provider account whose username claim equals a linked account's username does not get in.
    assert not backend.filter_users_by_claims({"sub": "j.jansen"}).exists()


def test_an_identity_linked_to_another_account_is_refused(sso, code):
    other = UserFactory(username="ander")
    SsoIdentity.objects.create(user=other, issuer=ISSUER, subject="sub-123")
    backend, request, payload = backend_with_pending(User.objects.get(username="j.jansen"), 1)
    assert backend.link_pending(payload) is False and request.oidc_failure == "koppeling"
    assert SsoIdentity.objects.count() == 1


def test_the_linked_page_uses_the_code_up_once_and_logs_the_activation(sso, code):
    user = User.objects.get(username="j.jansen")
    row = ActivationCode.objects.get()
    SsoIdentity.objects.create(user=user, issuer=ISSUER, subject="sub-123")
    client = Client()
    client.force_login(user)
    session = client.session
    sso_links.link_done(session, {"user": user.pk, "ticket": row.pk})
    session.save()
    response = client.get(reverse("mijnduo:activate_linked"), follow=True)
    assert "gekoppeld aan de inlog van uw organisatie" in response.content.decode()
    row.refresh_from_db()
    assert row.used_at is not None and services.is_activated(user)
    assert AccountChange.objects.filter(user=user, action=AccountAction.ACTIVATED).count() == 1
    # again (a reload): nothing happens
    client.get(reverse("mijnduo:activate_linked"))
    assert AccountChange.objects.filter(user=user, action=AccountAction.ACTIVATED).count() == 1
    # the code cannot be used for a password afterwards
    assert post(Client(), code, password1=PASSWORD, password2=PASSWORD).status_code == 400


def test_the_linked_page_does_nothing_for_another_signed_in_user(sso, code):
    row = ActivationCode.objects.get()
    intruder = UserFactory(username="indringer", roles={GRONINGEN: [Role.ELIP_SIGNALS]})
    client = Client()
    client.force_login(intruder)
    session = client.session
    sso_links.link_done(session, {"user": row.user_id, "ticket": row.pk})
    session.save()
    assert client.get(reverse("mijnduo:activate_linked")).status_code == 302
    row.refresh_from_db()
    assert row.used_at is None
