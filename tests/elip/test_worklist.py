"""Werkvoorraad (issue 14 point 2): urgency order, filters, sorting, paging, CSV, read log, the
regional list, and that no filter or parameter shows a person of a municipality where the user lacks
"Raadplegen ELIP personen". TODAY (tests/conftest.py) is 06-03-2025."""

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elip.routes import RouteStatus
from pib.constants import AttemptResult, ExamComponent, ObligationStatus, Role
from pib.models import ReadLogEntry
from signals.models import PersonContact
from tests.conftest import TODAY
from tests.letters.factories import LetterFactory
from tests.pib.factories import (
    EnrolmentFactory,
    InstitutionFactory,
    PersonFactory,
    QualityMarkLossFactory,
    UserFactory,
    add_exam,
    municipality,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

GRONINGEN, AMSTERDAM, UTRECHT = "GM0014", "GM0363", "GM0344"
URL = "/elip/werkvoorraad/"
REGION_URL = "/elip/werkvoorraad/regio/"
ALL = list(ExamComponent.values)
F = AttemptResult.FAILED


def elip_person(name, *, code=GRONINGEN, term_end=TODAY + dt.timedelta(days=400), hours=0, tries=0, **kw):
    """An ELIP person of ``code`` with ``tries`` failed attempts at every component and ``hours``."""
    letter_date = kw.pop("letter_date", dt.date(2025, 1, 8))
    person = PersonFactory(
        last_name=name,
        code=code,
        term_end=term_end,
        lesson_hours_integration=hours,
        term_start=dt.date(2021, 1, 1),
        **kw,
    )
    LetterFactory(person=person, letter_date=letter_date)
    for component in ALL:
        add_exam(person, component, results=[F] * tries)
    return person


def rows_of(response) -> list[str]:
    return [r.record.last_name for r in response.context["table"].page.object_list]


@pytest.fixture
def user(db):
    return UserFactory(username="klantmanager", roles={GRONINGEN: [Role.ELIP_PERSONS]})


@pytest.fixture
def client_g(client, user):
    client.force_login(user)
    return client


def test_urgency_order_term_end_band_then_route_then_term_end(client_g):
    # band 1 (passed or within 3 months), band 2 (within 6 months), band 3 (later)
    elip_person("LaterBinnenBereik", term_end=TODAY + dt.timedelta(days=400), hours=600, tries=3)
    elip_person("ZesMaandenGeen", term_end=TODAY + dt.timedelta(days=150))
    elip_person("DrieMaandenGeen", term_end=TODAY + dt.timedelta(days=60))
    elip_person("DrieMaandenBinnenBereik", term_end=TODAY + dt.timedelta(days=80), hours=590, tries=4)
    elip_person("VerstrekenGeen", term_end=TODAY - dt.timedelta(days=30), hours=100)
    elip_person("DrieMaandenGehaald", term_end=TODAY + dt.timedelta(days=20), hours=600, tries=4)
    response = client_g.get(URL)
    assert response.status_code == 200
    assert rows_of(response) == [
        "DrieMaandenBinnenBereik",  # band 1, within reach
        "VerstrekenGeen",  # band 1, no route, earliest term end
        "DrieMaandenGeen",
        "DrieMaandenGehaald",  # band 1, route reached: only the request is left
        "ZesMaandenGeen",  # band 2
        "LaterBinnenBereik",  # band 3
    ]
    text = unescape(response.content.decode())
    assert "Gesorteerd op urgentie" in text and "Ontheffing binnen bereik: nog 10 uur." in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("termijn=3", {"Verstreken", "Drie"}),
        ("termijn=6", {"Verstreken", "Drie", "Zes"}),
        (f"route={RouteStatus.WITHIN_REACH}", {"Drie"}),
        (f"route={RouteStatus.NONE}", {"Verstreken", "Zes", "Later"}),
        (f"route={RouteStatus.REACHED}", set()),
        ("nieuw_sinds_0=1&nieuw_sinds_1=2&nieuw_sinds_2=2025", {"Zes"}),
        ("contactpersoon=on", {"Later"}),
        ("keurmerk=on", {"Drie", "Later"}),
        ("termijn=3&keurmerk=on", {"Drie"}),
    ],
)
def test_filters(client_g, user, query, expected):
    elip_person("Verstreken", term_end=TODAY - dt.timedelta(days=1))
    drie = elip_person("Drie", term_end=TODAY + dt.timedelta(days=60), hours=590, tries=4)
    elip_person("Zes", term_end=TODAY + dt.timedelta(days=150), letter_date=dt.date(2025, 2, 5))
    later = elip_person("Later", term_end=TODAY + dt.timedelta(days=300))  # 600 hours need 50 weeks: 42 left
    PersonContact.objects.create(municipality=later.municipality, person=later, user=user)
    other = UserFactory(username="collega", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    PersonContact.objects.create(municipality=drie.municipality, person=drie, user=other)
    school = InstitutionFactory()
    QualityMarkLossFactory(institution=school, lost_on=dt.date(2024, 6, 1))
    EnrolmentFactory(person=drie, institution=school, end_date=dt.date(2024, 6, 1))
    EnrolmentFactory(person=later, institution=school, start_date=dt.date(2024, 9, 1), end_date=dt.date(2025, 9, 1))
    response = client_g.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert set(rows_of(response)) == expected


def test_flags_name_the_lost_quality_mark_the_passed_term_and_the_contact_person(client_g, user):
    person = elip_person("Vlag", term_end=TODAY - dt.timedelta(days=3))
    school = InstitutionFactory()
    QualityMarkLossFactory(institution=school, lost_on=dt.date(2024, 6, 1))
    EnrolmentFactory(person=person, institution=school)
    PersonContact.objects.create(municipality=person.municipality, person=person, user=user)
    text = client_g.get(URL).content.decode()
    for flag in ("Termijn verstreken", "School verloor keurmerk", "U bent contactpersoon"):
        assert f'<span class="tag">{flag}</span>' in text


@pytest.mark.parametrize(
    "query",
    [
        "termijn=9",
        "termijn=<script>",
        "route=7",
        "route=-1",
        "nieuw_sinds_0=31&nieuw_sinds_1=2&nieuw_sinds_2=2025",
        "nieuw_sinds_0=1&nieuw_sinds_1=2",
        "nieuw_sinds_0=x&nieuw_sinds_1=2&nieuw_sinds_2=2025",
        "nieuw_sinds_2=99999999999999999999",
    ],
)
def test_bad_filter_input_is_a_dutch_error_and_shows_nobody(client_g, query):
    elip_person("Iemand")
    for url in (URL, REGION_URL, reverse("elip:worklist_csv"), reverse("elip:worklist_region_csv")):
        response = client_g.get(f"{url}?{query}")
        assert response.status_code == 400
        text = response.content.decode()
        assert "error-summary" in text and ("Kies een van de keuzes" in text or "datum" in text)
        assert "Iemand" not in text
    assert not ReadLogEntry.objects.exists()


def test_unknown_sort_and_page_values_are_ignored_and_sorting_works(client_g):
    for i in range(25):
        elip_person(f"P{i:02d}", term_end=TODAY + dt.timedelta(days=10 + i))
    assert client_g.get(f"{URL}?sorteer=bsn;drop&pagina=abc").status_code == 200
    by_name = rows_of(client_g.get(f"{URL}?sorteer=-naam"))
    assert by_name[:2] == ["P24", "P23"]
    page2 = client_g.get(f"{URL}?pagina=2")
    assert rows_of(page2) == [f"P{i:02d}" for i in range(20, 25)]
    assert client_g.get(f"{URL}?pagina=99").context["table"].page.number == 2


def test_each_page_logs_exactly_the_persons_shown(client_g, user):
    persons = [elip_person(f"P{i:02d}", term_end=TODAY + dt.timedelta(days=10 + i)) for i in range(22)]
    client_g.get(f"{URL}?pagina=2")
    logged = ReadLogEntry.objects.filter(screen="Werkvoorraad")
    assert {e.person_id for e in logged} == {p.pk for p in persons[20:]}
    assert all(e.user == user and e.role == Role.ELIP_PERSONS and e.municipality.code == GRONINGEN for e in logged)


def test_query_count_does_not_grow_with_the_page(client_g):
    elip_person("Een")
    client_g.get(URL)  # the session warmed
    with CaptureQueriesContext(connection) as one:
        client_g.get(URL)
    for i in range(30):
        elip_person(f"P{i:02d}", tries=i % 5, hours=i * 20)
    for query in ("", "?pagina=2&sorteer=route", "?route=0&nieuw_sinds_0=1&nieuw_sinds_1=1&nieuw_sinds_2=2020"):
        with CaptureQueriesContext(connection) as many:
            assert rows_of(client_g.get(URL + query))
        assert len(many.captured_queries) == len(one.captured_queries), query


def test_the_bsn_links_to_the_person_by_opaque_id_and_no_url_holds_a_bsn(client_g):
    person = elip_person("Link", term_end=TODAY + dt.timedelta(days=60))
    text = client_g.get(URL + "?termijn=6&sorteer=naam").content.decode()
    assert f'<a class="utrecht-link" href="/elip/personen/{person.public_id}/">{person.bsn}</a>' in text
    for href in re.findall(r'href="([^"]*)"', text):
        assert person.bsn not in href


def test_only_the_municipality_s_obliged_elip_persons_are_listed(client_g):
    elip_person("Wel")
    elip_person("AndereGemeente", code=AMSTERDAM)
    elip_person("Voldaan", obligation_status=ObligationStatus.MET)
    PersonFactory(last_name="GeenBrief", code=GRONINGEN)
    moved = elip_person("Verhuisd")
    moved.municipality = municipality(UTRECHT)
    moved.save()
    assert rows_of(client_g.get(URL)) == ["Wel"]
    assert rows_of(client_g.get(REGION_URL)) == ["Wel"]


def test_csv_follows_the_filters_is_formula_safe_and_logs_each_person(client_g, user):
    risky = elip_person("=HYPERLINK(1)", term_end=TODAY + dt.timedelta(days=60), first_names="+31 Ali")
    elip_person("Later")
    response = client_g.get(reverse("elip:worklist_csv") + "?termijn=3")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Gemeente", "BSN", "Achternaam", "Voornamen"]
    assert len(rows) == 2
    assert rows[1][:4] == ["Groningen", risky.bsn, "'=HYPERLINK(1)", "'+31 Ali"]
    assert rows[1][6] == "Geen route binnen bereik"
    logged = ReadLogEntry.objects.filter(screen="Werkvoorraad (CSV)")
    assert [e.person_id for e in logged] == [risky.pk]


# --- regional ---------------------------------------------------------------------------------


@pytest.fixture
def regio(client):
    user = UserFactory(
        username="regio",
        roles={
            GRONINGEN: [Role.ELIP_PERSONS],
            AMSTERDAM: [Role.ELIP_PERSONS],
            UTRECHT: [Role.ELIP_SIGNALS, Role.ELIP_LETTER],  # no Raadplegen ELIP personen here
        },
    )
    client.force_login(user)
    return client, user


def test_regional_list_spans_the_municipalities_with_the_role_and_names_each(regio):
    client, user = regio
    g = elip_person("InGroningen", term_end=TODAY + dt.timedelta(days=30))
    a = elip_person("InAmsterdam", code=AMSTERDAM, term_end=TODAY + dt.timedelta(days=40))
    elip_person("InUtrecht", code=UTRECHT, term_end=TODAY + dt.timedelta(days=20))
    response = client.get(REGION_URL)
    assert response.status_code == 200
    assert rows_of(response) == ["InGroningen", "InAmsterdam"]
    text = response.content.decode()
    assert "Amsterdam" in text and "Groningen" in text and "InUtrecht" not in text
    # Amsterdam sorts first, so it is the chosen municipality: only its persons' BSNs link.
    assert f'<a class="utrecht-link" href="/elip/personen/{a.public_id}/">{a.bsn}</a>' in text
    assert f"/elip/personen/{g.public_id}/" not in text and g.bsn in text
    logged = {
        (e.person.last_name, e.municipality.code) for e in ReadLogEntry.objects.filter(screen="Werkvoorraad regio")
    }
    assert logged == {("InGroningen", GRONINGEN), ("InAmsterdam", AMSTERDAM)}
    # the single-municipality screen keeps to the chosen municipality
    assert rows_of(client.get(URL)) == ["InAmsterdam"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "termijn=3",
        "termijn=6",
        "route=0",
        "route=1",
        "route=2",
        "keurmerk=on",
        "contactpersoon=on",
        "nieuw_sinds_0=1&nieuw_sinds_1=1&nieuw_sinds_2=2000",
        "sorteer=gemeente",
        "sorteer=-bsn",
        "pagina=2",
        "gemeente=GM0344",
        "gemeente_id=3",
        "municipality=GM0344",
        "regio=alle",
    ],
)
def test_no_filter_or_parameter_shows_a_person_of_a_municipality_without_the_role(regio, query):
    client, user = regio
    hidden = elip_person("InUtrecht", code=UTRECHT, term_end=TODAY + dt.timedelta(days=20), tries=4, hours=600)
    PersonContact.objects.create(municipality=hidden.municipality, person=hidden, user=user)
    school = InstitutionFactory()
    QualityMarkLossFactory(institution=school, lost_on=dt.date(2024, 6, 1))
    EnrolmentFactory(person=hidden, institution=school)
    elip_person("InGroningen")
    for url in (URL, REGION_URL, reverse("elip:worklist_csv"), reverse("elip:worklist_region_csv")):
        response = client.get(f"{url}?{query}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert hidden.bsn.encode() not in body and b"InUtrecht" not in body, url
    assert not ReadLogEntry.objects.filter(person=hidden).exists()


def test_choosing_a_municipality_without_the_role_gives_403_on_every_worklist_screen(regio):
    client, user = regio
    client.post(reverse("choose_municipality"), {"gemeente": municipality(UTRECHT).pk})
    for url in (URL, REGION_URL, reverse("elip:worklist_csv"), reverse("elip:worklist_region_csv")):
        response = client.get(url)
        assert response.status_code == 403 and "Raadplegen ELIP personen" in response.content.decode()


def test_regional_csv_names_each_row_s_municipality_and_logs_under_it(regio):
    client, user = regio
    elip_person("InGroningen")
    elip_person("InAmsterdam", code=AMSTERDAM)
    body = b"".join(client.get(reverse("elip:worklist_region_csv")).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))[1:]
    assert sorted((r[0], r[2]) for r in rows) == [("Amsterdam", "InAmsterdam"), ("Groningen", "InGroningen")]
    logged = {
        (e.person.last_name, e.municipality.code)
        for e in ReadLogEntry.objects.filter(screen="Werkvoorraad regio (CSV)")
    }
    assert logged == {("InGroningen", GRONINGEN), ("InAmsterdam", AMSTERDAM)}


def test_start_screen_and_overview_link_to_the_worklist(client_g):
    elip_person("Iemand")
    assert 'href="/elip/werkvoorraad/"' in client_g.get(reverse("start")).content.decode()
    assert 'href="/elip/werkvoorraad/"' in client_g.get(reverse("elip:persons_list")).content.decode()


def test_the_regional_link_shows_only_for_several_municipalities(client_g):
    assert "/elip/werkvoorraad/regio/" not in client_g.get(URL).content.decode()


def test_the_regional_link_shows_for_a_regional_team(regio):
    client, _user = regio
    assert "/elip/werkvoorraad/regio/" in client.get(URL).content.decode()
