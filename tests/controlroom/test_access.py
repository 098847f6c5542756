"""The control room opens for DUO functioneel beheer only (deny by default): every URL pattern of
controlroom.urls — also the ones added later — is requested by every kind of user, GET and POST."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY

from controlroom import urls as controlroom_urls
from pib.constants import Role
from tests.controlroom.factories import AlertFactory, accounts, functional, week_run
from tests.pib.factories import UserFactory

pytestmark = pytest.mark.django_db
RUN_DATE = dt.date(2025, 3, 5)


def patterns():
    return [p for p in controlroom_urls.urlpatterns if isinstance(p, URLPattern)]


def build(pattern, alert_pk) -> str:
    from elip.models import PolicyVersion

    draft = PolicyVersion.objects.filter(status="concept").first()
    values = {"run_date": RUN_DATE.isoformat(), "code": "GM0014", "pk": alert_pk, "version": draft.pk if draft else 0}
    names = pattern.pattern.converters.keys()
    return reverse(f"controlroom:{pattern.name}", kwargs={n: values[n] for n in names})


@pytest.fixture
def world():
    week_run(RUN_DATE, {"GM0014": 2}, letters={"GM0014": 1}, failed={"GM0014": 1})
    # a criteria draft by another admin, for the what-if and approval screens (issue 15, policy)
    from elip.services.policy import policy_draft_create

    policy_draft_create(user=UserFactory(username="opsteller", is_staff=True), valid_from=dt.date(2099, 1, 1),
                        months_before_term_end=0, term_rule_percentage=95, loan_rule_percentage=95)  # fmt: skip
    return AlertFactory(run_date=RUN_DATE)


def test_every_view_is_wrapped_in_the_access_check():
    resolver = get_resolver()
    for pattern in patterns():
        callback = pattern.callback
        assert getattr(callback, "controlroom_protected", False) or getattr(
            getattr(callback, "__wrapped__", None), "controlroom_protected", False
        ), f"{pattern.name} is not wrapped in controlroom_view"
    assert resolver.resolve("/beheer/controlekamer/").url_name == "overview"


def test_anonymous_goes_to_the_portal_sign_in(world):
    client = Client()
    for pattern in patterns():
        url = build(pattern, world.pk)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/inloggen/"), (method, url)


@pytest.mark.parametrize(
    "who",
    ["accountbeheer", "municipal", "staff_without_group", "municipal_staff_flag_none"],
)
def test_everyone_but_functional_management_gets_403(world, who):
    user = {
        "accountbeheer": lambda: accounts(),
        "municipal": lambda: UserFactory(username="gem", roles={"GM0014": [Role.ELIP_PERSONS, Role.ELIP_LETTER]}),
        "staff_without_group": lambda: UserFactory(username="staf", is_staff=True),
        "municipal_staff_flag_none": lambda: UserFactory(username="gem2", roles={"GM0014": [Role.MIJN_DUO_ADMIN]}),
    }[who]()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for pattern in patterns():
        url = build(pattern, world.pk)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (who, method, url, response.status_code)
    assert "Controlekamer" not in client.get(reverse("admin:index")).content.decode()


def test_staff_without_second_factor_is_sent_to_sign_in(world):
    user = functional()
    client = Client()
    client.force_login(user)  # both steps (tests/conftest.py) ...
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY)  # ... then take the second factor away
    session.save()
    response = client.get(reverse("controlroom:overview"))
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_functional_management_opens_every_screen_and_the_admin_index_links_it(world):
    client = Client()
    client.force_login(functional())
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("controlroom:overview") in index
    for pattern in patterns():
        url = build(pattern, world.pk)
        response = client.get(url)
        assert response.status_code in (200, 405), (url, response.status_code)
        if response.status_code == 200:
            html = response.content.decode()
            assert 'id="site-name"' in html or "DUO – beheer" in html  # the admin's look
            assert "style=" not in html.replace('rel="stylesheet"', "")


def test_superuser_operator_opens_it(world, django_user_model):
    operator = django_user_model.objects.create_superuser("operator", password="Inburgering-Demo-2025")
    client = Client()
    client.force_login(operator)
    assert client.get(reverse("controlroom:overview")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "runs/2025-13-45/",
        "runs/onbekend/",
        "runs/2025-03-06/",
        "runs/2025-03-05/pdf-opnieuw/GM9999/",
        "runs/2025-03-05/bundel-opnieuw/%3Cscript%3E/",
        "runs/%00/",
        "meldingen/987654/gezien/",
    ],
)
def test_bad_path_values_are_404_not_500(world, path):
    client = Client(raise_request_exception=False)
    client.force_login(functional())
    method = client.post if path.endswith("gezien/") else client.get
    assert method(f"/beheer/controlekamer/{path}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?pagina=-1",
        "?pagina=99999999999",
        "?pagina=%C2%B2",
        "?sorteer=bsn",
        "?sorteer=%00",
        "?status=<script>",
        "?pagina=abc&status=x",
    ],
)
def test_bad_query_values_show_the_default(world, query):
    client = Client(raise_request_exception=False)
    client.force_login(functional())
    for name in ("overview", "runs", "alerts", "actions"):
        assert client.get(reverse(f"controlroom:{name}") + query).status_code == 200
    url = reverse("controlroom:run_detail", kwargs={"run_date": RUN_DATE.isoformat()})
    assert client.get(url + query).status_code == 200
