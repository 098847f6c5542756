"""Start screen 'Inburgering' (manual §3.1) per role mix, the 'Gekozen gemeente' chooser (§3.7)
and the shared template filters. (No inline script/style: tests/pib/test_template_rules.py.)"""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pib.access import SESSION_KEY
from pib.constants import Role
from pib.templatetags.portal import aantal, datum, datumtijd, euro, telefoon
from pib.views import PARTS, parts_for
from tests.pib.factories import UserFactory, municipality

MANUAL_ORDER = [
    "Beheren contactpersonen 2021",
    "Beheren ELIP brief",
    "Downloaden bestanden",
    "PVT waardepapieren bestellen",
    "Raadplegen ELIP personen",
    "Raadplegen en muteren ELIP signalen",
    "Raadplegen en muteren persoon 2013",
    "Raadplegen en muteren persoon 2021",
    "Raadplegen en muteren signalen 2013",
    "Raadplegen en muteren signalen 2021",
    "Raadplegen persoon 2007",
    "Raadplegen signalen 2007",
]


def page_text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def logged_in(username, roles):
    user = UserFactory(username=username, roles=roles)
    client = Client()
    client.force_login(user)
    return client


def titles(response) -> list[str]:
    return re.findall(r'class="[^"]*\bpart-list__(?:link|title)"[^>]*>([^<]+)<', page_text(response))


# --- Start screen -----------------------------------------------------------------------------------


def test_the_manuals_parts_keep_the_manuals_order():
    manual = [p.title for p in PARTS if p.title in MANUAL_ORDER]
    assert manual == MANUAL_ORDER


@pytest.mark.django_db
def test_anonymous_start_goes_to_login():
    response = Client().get(reverse("start"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_elip_letter_role_shows_beheren_elip_brief_and_its_effect_as_links():
    response = logged_in("brief", {"GM0014": [Role.ELIP_LETTER]}).get(reverse("start"))
    assert response.status_code == 200
    assert titles(response) == ["Beheren ELIP brief", "Effect ELIP-brief"]
    assert f'href="{reverse("elip:effect")}"' in page_text(response)
    page = page_text(response)
    assert f'<a class="utrecht-link part-list__link" href="{reverse("elip:brief")}">Beheren ELIP brief</a>' in page
    assert "Aanmelden of afmelden voor de ELIP brief" in page
    assert '<h1 class="utrecht-heading-1">Inburgering</h1>' in page


@pytest.mark.django_db
def test_all_elip_roles_show_the_elip_parts_and_downloads_in_the_manuals_order_with_sub_lines():
    roles = [Role.ELIP_SIGNALS, Role.ELIP_PERSONS, Role.ELIP_LETTER]
    response = logged_in("elip", {"GM0014": roles}).get(reverse("start"))
    assert titles(response) == [
        "Beheren ELIP brief",
        "Downloaden bestanden",
        "Effect ELIP-brief",
        "Raadplegen ELIP personen",
        "Raadplegen en muteren ELIP signalen",
    ]
    page = page_text(response)
    assert "Raadplegen personen einde lening, nog inburgeringsplichtig" in page
    assert "Raadplegen en muteren signalen einde lening, nog inburgeringsplichtig" in page
    assert "Niet beschikbaar in dit portaal" not in page
    for name in ("elip:brief", "elip:persons_search", "signals:search", "elip:downloads"):
        assert f'href="{reverse(name)}"' in page


@pytest.mark.django_db
def test_wet_inburgering_roles_show_their_parts_as_not_available_without_links():
    response = logged_in("wet", {"GM0014": [Role.MUTATE_2013, Role.VIEW_2007]}).get(reverse("start"))
    assert titles(response) == [
        "Downloaden bestanden",
        "Raadplegen en muteren persoon 2013",
        "Raadplegen en muteren signalen 2013",
        "Raadplegen persoon 2007",
        "Raadplegen signalen 2007",
    ]
    page = page_text(response)
    assert page.count("Niet beschikbaar in dit portaal.") == 5  # Downloaden bestanden too: no ELIP role
    assert "part-list__link" not in page


@pytest.mark.django_db
def test_all_roles_show_every_part_of_the_manual_in_its_order():
    response = logged_in("alles", {"GM0014": [r for r in Role if r != Role.MIJN_DUO_ADMIN]}).get(reverse("start"))
    shown = titles(response)
    assert [t for t in shown if t != "Effect ELIP-brief"] == MANUAL_ORDER  # issue 15's part, in alphabetical place
    assert shown[shown.index("Downloaden bestanden") + 1] == "Effect ELIP-brief"


@pytest.mark.django_db
def test_the_mijn_duo_beheerder_also_sees_gebruikers_en_accountrollen_in_alphabetical_place():
    response = logged_in("alles", {"GM0014": list(Role)}).get(reverse("start"))
    shown = titles(response)
    assert shown[shown.index("Effect ELIP-brief") + 1] == "Gebruikers en accountrollen"
    assert [t for t in shown if t not in ("Gebruikers en accountrollen", "Effect ELIP-brief")] == MANUAL_ORDER


def test_view_only_parts_are_left_out_when_the_muteren_role_includes_them():
    both = [p["title"] for p in parts_for({Role.VIEW_2013, Role.MUTATE_2013})]
    assert "Raadplegen persoon 2013" not in both and "Raadplegen en muteren persoon 2013" in both
    only_view = [p["title"] for p in parts_for({Role.VIEW_2021})]
    assert only_view == ["Downloaden bestanden", "Raadplegen persoon 2021", "Raadplegen signalen 2021"]


def test_every_part_of_this_portal_links_to_its_screen():
    parts = {p["title"]: p["url"] for p in parts_for(set(Role))}
    for part in PARTS:
        if part.title in parts:  # a view-only part is left out beside its 'muteren' part
            assert parts[part.title] == (reverse(part.url_name) if part.url_name else "")
    linked = {title for title, url in parts.items() if url}
    assert linked == {
        "Beheren ELIP brief",
        "Downloaden bestanden",
        "Effect ELIP-brief",  # issue 15
        "Gebruikers en accountrollen",  # the Mijn DUO-beheerder's part
        "Raadplegen ELIP personen",
        "Raadplegen en muteren ELIP signalen",
    }


@pytest.mark.django_db
def test_user_without_any_role_gets_an_explanation():
    response = logged_in("niemand", None).get(reverse("start"))
    page = page_text(response)
    assert response.status_code == 200
    assert "U hebt nog geen accountrol voor een gemeente." in page
    assert "Vraag de beheerder Mijn DUO van uw gemeente" in page
    assert titles(response) == []
    assert "Gekozen gemeente" not in page


@pytest.mark.django_db
def test_start_screen_shows_the_roles_of_the_chosen_municipality_only():
    client = logged_in("regio", {"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_SIGNALS]})
    client.post(reverse("choose_municipality"), {"gemeente": municipality("GM0014").pk, "next": "/"})
    assert titles(client.get(reverse("start"))) == ["Beheren ELIP brief", "Effect ELIP-brief"]
    client.post(reverse("choose_municipality"), {"gemeente": municipality("GM0363").pk, "next": "/"})
    assert titles(client.get(reverse("start"))) == ["Raadplegen en muteren ELIP signalen"]


# --- Gekozen gemeente (§3.7) -------------------------------------------------------------------------


@pytest.mark.django_db
def test_header_shows_a_chooser_for_several_municipalities_and_works_without_js():
    client = logged_in("regio", {"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_LETTER]})
    page = page_text(client.get(reverse("start")))
    label = '<label for="gekozen-gemeente" class="utrecht-form-label municipality-chooser__label">'
    assert label + "Gekozen gemeente:</label>" in page
    assert re.search(r'<form method="post" action="/gemeente-kiezen/"', page)
    assert ">Kies gemeente</button>" in page
    assert ">Amsterdam</option>" in page and ">Groningen</option>" in page
    assert "<option" in page and "Haarlem" not in page


@pytest.mark.django_db
def test_header_shows_the_single_municipality_as_text():
    page = page_text(logged_in("een", {"GM0014": [Role.ELIP_LETTER]}).get(reverse("start")))
    assert "Gekozen gemeente:</span> <strong>Groningen</strong>" in page
    assert 'id="gekozen-gemeente"' not in page


@pytest.mark.django_db
def test_choosing_an_own_municipality_switches_and_returns_to_the_page():
    client = logged_in("regio", {"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_LETTER]})
    groningen = municipality("GM0014")
    response = client.post(reverse("choose_municipality"), {"gemeente": groningen.pk, "next": "/elip/brief/"})
    assert response.status_code == 302 and response["Location"] == "/elip/brief/"
    assert client.session[SESSION_KEY] == groningen.pk
    assert "Gekozen gemeente: <strong>Groningen</strong>" in page_text(client.get("/elip/brief/"))


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["foreign", "", "abc", "-1", "99999999999999999999999", "1; DROP TABLE"])
def test_chooser_refuses_a_foreign_or_bogus_municipality(value):
    client = logged_in("regio", {"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_LETTER]})
    client.get(reverse("start"))
    before = client.session[SESSION_KEY]
    if value == "foreign":
        value = str(municipality("GM0599").pk)  # Rotterdam: no role there
    response = client.post(reverse("choose_municipality"), {"gemeente": value, "next": "/"}, follow=True)
    assert response.status_code == 200
    assert "U bent niet geautoriseerd voor deze gemeente." in page_text(response)
    assert client.session[SESSION_KEY] == before


@pytest.mark.django_db
def test_a_tampered_session_choice_falls_back_to_an_authorised_municipality():
    client = logged_in("een", {"GM0014": [Role.ELIP_LETTER]})
    session = client.session
    session[SESSION_KEY] = municipality("GM0599").pk
    session.save()
    page = page_text(client.get(reverse("start")))
    assert "Groningen" in page and "Rotterdam" not in page
    assert client.session[SESSION_KEY] == municipality("GM0014").pk


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_chooser_never_redirects_off_site(target):
    client = logged_in("regio", {"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_LETTER]})
    response = client.post(reverse("choose_municipality"), {"gemeente": municipality("GM0014").pk, "next": target})
    assert response["Location"] == reverse("start")


@pytest.mark.django_db
def test_chooser_is_post_only_and_needs_csrf():
    user = UserFactory(username="regio", roles={"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_LETTER]})
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(reverse("choose_municipality")).status_code == 405
    assert client.post(reverse("choose_municipality"), {"gemeente": municipality("GM0014").pk}).status_code == 403


# --- Shared filters --------------------------------------------------------------------------------------


def test_filters_format_through_pib_formatting():
    assert euro(Decimal("1280.5")) == "€ 1.280,50" and euro(None) == "-"  # cases: tests/pib/test_formatting.py
    assert datum(dt.date(2023, 6, 14)) == "14-06-2023"
    assert datum(None) == "-"
    moment = dt.datetime(2023, 6, 14, 22, 30, tzinfo=dt.UTC)  # 00:30 the next day in Amsterdam
    assert datum(moment) == "15-06-2023"
    assert datumtijd(moment) == "15-06-2023 00:30"
    assert aantal(1280) == "1.280" and aantal(None) == "-"
    assert timezone.get_current_timezone_name() == "Europe/Amsterdam"


def test_telefoon_groups_a_dutch_number_and_shows_empty_as_a_dash():
    assert telefoon("0503679111") == "050 367 91 11"
    assert telefoon("") == "-"


# --- Error pages in Dutch ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csrf_failure_is_a_dutch_page_that_changes_nothing():
    user = UserFactory(username="regio", roles={"GM0014": [Role.ELIP_LETTER], "GM0363": [Role.ELIP_LETTER]})
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("choose_municipality"), {"gemeente": municipality("GM0014").pk})
    assert response.status_code == 403
    assert "Het formulier is verlopen" in page_text(response)


@pytest.mark.django_db
def test_an_oversized_post_is_a_dutch_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = logged_in("brief", {"GM0014": [Role.ELIP_LETTER]})
    client.raise_request_exception = False
    response = client.post(reverse("elip:brief_enrol"), {"contact_name": "x" * 5000})
    assert response.status_code == 400
    assert "Ongeldig verzoek" in page_text(response)


@pytest.mark.django_db
def test_a_duo_admin_without_municipal_roles_is_pointed_to_the_admin():
    admin = UserFactory(username="duo", is_staff=True)
    client = Client()
    client.force_login(admin)
    page = page_text(client.get(reverse("start")))
    assert "U bent beheerder bij DUO." in page
    assert f'href="{reverse("admin:index")}"' in page
