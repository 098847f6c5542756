"""Raadplegen ELIP personen (manual chapter 4): every screen's content and field order,
scoping (404), BSN search, pagination and sorting."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from pib.constants import Role
from pib.models import Person, ReadLogEntry
from tests.elip.persons_data import AMSTERDAM, GRONINGEN, full_history
from tests.pib.factories import PersonFactory, UserFactory, municipality, valid_bsn

pytestmark = pytest.mark.django_db


@pytest.fixture
def wilmer():
    person = PersonFactory(
        elip=True,
        code=GRONINGEN,
        first_names="Wilmer",
        last_name="Gonzalez",
        birth_date=dt.date(1999, 6, 17),
        street="Straat van de vrede",
        house_number=12,
        postcode="5294 AA",
        city="Boxtel",
        term_start=dt.date(2019, 7, 1),
        term_end=dt.date(2022, 7, 1),
        culpable_overrun=True,
        lesson_hours_integration=50,
        lesson_hours_literacy=40,
        loan_used=Decimal("7540"),
    )
    return person, full_history(person, invoices=2)


def text(response):
    """The visible text of the page's <main>, whitespace collapsed."""
    html = response.content.decode()
    main = re.search(r"<main\b.*?</main>", html, flags=re.S)
    html = main.group(0) if main else html
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def in_order(haystack, *needles):
    """Each needle occurs after the previous one."""
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"{needle!r} not found after position {position} in: {haystack}"
        position = found + len(needle)
    return True


def detail_url(person):
    return reverse("elip:person_detail", kwargs={"public_id": person.public_id})


# --- Zoeken ELIP ------------------------------------------------------------------------------


def test_search_screen_shows_count_of_visible_elip_persons_and_the_form(client_a):
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))  # another municipality
    PersonFactory(municipality=municipality(GRONINGEN))  # no letter: not an ELIP person
    page = text(client_a.get(reverse("elip:persons_search")))
    assert in_order(
        page,
        "ELIP (Einde Lening Inburgeringsplichtigen)",
        "Zoeken ELIP",
        "Er zijn 2 inburgeringsplichtigen die voldoen aan ELIP.",
        "Toon deze inburgeringsplichtigen",
        "Burgerservicenummer",
        "Zoek",
        "of maak veld leeg",
    )


def test_search_form_posts_so_the_bsn_never_is_in_a_url(client_a):
    html = client_a.get(reverse("elip:persons_search")).content.decode()
    form = re.search(r"<form[^>]*>", html[html.index("Zoeken ELIP") :]).group(0)
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in html


def test_search_valid_bsn_of_visible_person_redirects_to_detail_by_public_id(client_a, wilmer):
    person, _ = wilmer
    response = client_a.post(reverse("elip:persons_search"), {"bsn": person.bsn})
    assert response.status_code == 302
    assert response.url == detail_url(person)
    assert person.bsn not in response.url


def test_search_accepts_bsn_with_spaces_and_dots(client_a, wilmer):
    person, _ = wilmer
    spaced = f"{person.bsn[:4]}.{person.bsn[4:6]} {person.bsn[6:]}"
    response = client_a.post(reverse("elip:persons_search"), {"bsn": spaced})
    assert response.url == detail_url(person)


@pytest.mark.parametrize("value", ["123456788", "12345", "abcdefghi", "000000000", "1" * 25])
def test_search_invalid_bsn_gives_dutch_error(client_a, value):
    response = client_a.post(reverse("elip:persons_search"), {"bsn": value})
    assert response.status_code == 200
    assert "Vul een geldig burgerservicenummer in: 9 cijfers die voldoen aan de elfproef." in text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ReadLogEntry.objects.exists()


def test_search_empty_gives_dutch_error(client_a):
    response = client_a.post(reverse("elip:persons_search"), {"bsn": ""})
    assert "Vul een burgerservicenummer in." in text(response)


def test_search_not_found_says_so_and_logs_niet_gevonden(client_a, persons_user):
    response = client_a.post(reverse("elip:persons_search"), {"bsn": valid_bsn(999_999)})
    assert response.status_code == 200
    assert "Er is geen ELIP-inburgeraar gevonden met dit burgerservicenummer." in text(response)
    entry = ReadLogEntry.objects.get()
    assert entry.result == ReadLogEntry.Result.NOT_FOUND
    assert entry.user == persons_user and entry.person is None and entry.role == Role.ELIP_PERSONS


@pytest.mark.parametrize("case", ["other_municipality", "no_letter", "moved_away"])
def test_search_someone_elses_bsn_is_not_found(client_a, case):
    if case == "other_municipality":
        person = PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))
    elif case == "no_letter":
        person = PersonFactory(municipality=municipality(GRONINGEN))
    else:
        person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
        Person.objects.filter(pk=person.pk).update(municipality=municipality(AMSTERDAM))
    response = client_a.post(reverse("elip:persons_search"), {"bsn": person.bsn})
    assert response.status_code == 200
    assert "Er is geen ELIP-inburgeraar gevonden met dit burgerservicenummer." in text(response)


def test_search_clear_link_goes_to_empty_form(client_a):
    html = client_a.get(reverse("elip:persons_search")).content.decode()
    assert re.search(r'<a class="utrecht-link" href="/elip/personen/">maak veld leeg</a>', html)


def test_search_count_of_one_is_singular(client_a):
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    assert "Er is 1 inburgeringsplichtige die voldoet aan ELIP." in text(client_a.get(reverse("elip:persons_search")))


def test_search_without_elip_persons_has_no_list_link(client_a):
    page = text(client_a.get(reverse("elip:persons_search")))
    assert "Er zijn 0 inburgeringsplichtigen die voldoen aan ELIP." in page
    assert "Toon deze inburgeringsplichtigen" not in page


# --- Overzicht ELIP ---------------------------------------------------------------------------


def test_list_shows_columns_in_manual_order_with_formatted_values(client_a, wilmer):
    person, _ = wilmer
    page = text(client_a.get(reverse("elip:persons_list")))
    assert in_order(
        page,
        "Zoeken ELIP",
        "Overzicht ELIP",
        "BSN",
        "Naam",
        "Geboortedatum",
        "Einddatum inburgeringstermijn",
        "Resterende lening",
        person.bsn,
        "Wilmer Gonzalez",
        "17-06-1999",
        "1 juli 2022",
        "€ 60,00",  # 10.000 - 7.540 - 2.400 (the paid invoice; the rejected one does not count)
    )


def test_list_rows_link_to_detail_by_public_id(client_a, wilmer):
    person, _ = wilmer
    html = client_a.get(reverse("elip:persons_list")).content.decode()
    assert f'href="{detail_url(person)}"' in html


def test_list_shows_only_visible_persons(client_a):
    mine = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    other = PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))
    no_letter = PersonFactory(municipality=municipality(GRONINGEN))
    moved = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    Person.objects.filter(pk=moved.pk).update(municipality=municipality(AMSTERDAM))
    html = client_a.get(reverse("elip:persons_list")).content.decode()
    assert mine.bsn in html
    for person in (other, no_letter, moved):
        assert person.bsn not in html
        assert str(person.public_id) not in html


def test_list_is_paginated_by_20_with_dutch_navigation(client_a):
    persons = [
        PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), last_name=f"Achternaam{i:02d}")
        for i in range(45)
    ]
    first = client_a.get(reverse("elip:persons_list"))
    page = text(first)
    assert "1 van 3" in page and "Volgende" in page
    assert persons[0].bsn in page and persons[20].bsn not in page
    third = text(client_a.get(reverse("elip:persons_list"), {"pagina": 3}))
    assert persons[44].bsn in third and persons[0].bsn not in third
    assert "3 van 3" in third and "Vorige" in third


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "99999999999999999999999"])
def test_list_out_of_range_or_garbage_page_never_errors(client_a, page):
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    response = client_a.get(reverse("elip:persons_list"), {"pagina": page})
    assert response.status_code == 200


def test_list_ignores_per_page_parameter(client_a):
    for i in range(25):
        PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), last_name=f"N{i:02d}")
    response = client_a.get(reverse("elip:persons_list"), {"per_pagina": 1000})
    assert response.content.decode().count('<tr class="utrecht-table__row">') == 21  # header + 20 rows


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("naam", ["Aarts", "Bakker", "Claes"]),
        ("-naam", ["Claes", "Bakker", "Aarts"]),
        ("geboortedatum", ["Bakker", "Claes", "Aarts"]),
        ("einddatum", ["Claes", "Aarts", "Bakker"]),
        ("lening", ["Claes", "Bakker", "Aarts"]),
        ("-lening", ["Aarts", "Bakker", "Claes"]),
    ],
)
def test_list_sorts_by_column_names(client_a, sort, expected):
    PersonFactory(
        elip=True,
        code=GRONINGEN,
        last_name="Aarts",
        birth_date=dt.date(2000, 1, 1),
        term_end=dt.date(2025, 5, 1),
        loan_used=Decimal("1000"),
    )
    PersonFactory(
        elip=True,
        code=GRONINGEN,
        last_name="Bakker",
        birth_date=dt.date(1980, 1, 1),
        term_end=dt.date(2025, 9, 1),
        loan_used=Decimal("5000"),
    )
    PersonFactory(
        elip=True,
        code=GRONINGEN,
        last_name="Claes",
        birth_date=dt.date(1990, 1, 1),
        term_end=dt.date(2025, 2, 1),
        loan_used=Decimal("9000"),
    )
    page = text(client_a.get(reverse("elip:persons_list"), {"sorteer": sort}))
    assert in_order(page, *[f"Wilmer {name}" for name in expected])


def test_list_sort_links_hold_column_names_only(client_a):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    html = client_a.get(reverse("elip:persons_list")).content.decode()
    links = re.findall(r'href="([^"]*)"', html)
    assert any("sorteer=naam" in link or "sorteer=-naam" in link for link in links)
    assert all(person.bsn not in link for link in links)


def test_list_unknown_sort_key_is_ignored(client_a):
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    assert client_a.get(reverse("elip:persons_list"), {"sorteer": "bsn__secret';--"}).status_code == 200


# --- Details ----------------------------------------------------------------------------------


def test_detail_shows_every_field_in_manual_order(client_a, wilmer):
    person, _ = wilmer
    page = text(client_a.get(detail_url(person)))
    assert in_order(
        page,
        "Overzicht ELIP",
        "Details Wilmer Gonzalez",
        "Naam Wilmer Gonzalez",
        f"BSN {person.bsn}",
        "Adres Straat van de vrede 12 5294 AA Boxtel",
        "Geboortedatum 17-06-1999",
        "Datum start inburgeringstermijn 01-07-2019",
        "Datum einde inburgeringstermijn 01-07-2022",
        "Resterende lening € 60,00",
        "Bij DUO geregistreerde lesuren inburgeringscursus 50",
        "Bij DUO geregistreerde lesuren alfabetiseringscursus 40",
        "Verwijtbare termijnoverschrijding Ja",
        "Examens",
        "Inschrijvingen",
        "Contracten",
        "Facturen",
        "Overzicht verlengingen inburgeringstermijn",
    )


def test_detail_culpable_overrun_no(client_a):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), culpable_overrun=False)
    assert "Verwijtbare termijnoverschrijding Nee" in text(client_a.get(detail_url(person)))


def test_detail_exam_table_in_component_order_with_attempts_date_status(client_a, wilmer):
    person, _ = wilmer
    page = text(client_a.get(detail_url(person)))
    assert in_order(
        page,
        "Examen Pogingen Datum Status",
        "KNM (Kennis Nederlandse Maatschappij) 4 17-04-2013 Geslaagd Details",
        "Lezen 4 17-04-2013 Niet geslaagd Details",
        "Luisteren 4 17-04-2013 Niet geslaagd Details",
        "Schrijven 4 17-04-2013 Niet geslaagd Details",
        "Spreken 0 - Nog te doen Details",
    )


def test_detail_enrolments_contracts_invoices_extensions(client_a, wilmer):
    person, data = wilmer
    contract = data["contract"]
    page = text(client_a.get(detail_url(person)))
    assert "Opleiding Instelling Datum einde Inburgering Yuverta MBO Den Bosch 30-06-2021" in page
    assert in_order(
        page, "Contractnummer Opleiding Instelling", f"{contract.number} Inburgering Yuverta MBO Den Bosch Details"
    )
    assert in_order(
        page,
        "Cursusinstelling Bedrag Datum Status",
        "Yuverta MBO Den Bosch € 2.400,00 02-01-2021 Betaald Details",
        "Yuverta MBO Den Bosch € 2.400,00 02-01-2021 Afgewezen Details",
    )
    assert "Soort verlenging Vorige einddatum Nieuwe einddatum Te late kennisgeving 01-07-2022 29-09-2022" in page


def test_detail_links_to_sub_screens(client_a, wilmer):
    person, data = wilmer
    html = client_a.get(detail_url(person)).content.decode()
    assert reverse("elip:person_exam", kwargs={"public_id": person.public_id, "component": "Lezen"}) in html
    assert reverse("elip:person_contract", kwargs={"public_id": person.public_id, "pk": data["contract"].pk}) in html
    for invoice in data["invoices"]:
        assert reverse("elip:person_invoice", kwargs={"public_id": person.public_id, "pk": invoice.pk}) in html


def test_detail_of_person_without_history_shows_empty_sections(client_a):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=None)
    page = text(client_a.get(detail_url(person)))
    assert "Er zijn geen examens bekend." in page
    assert "Er zijn geen verlengingen toegekend." in page
    assert "Resterende lening € 10.000,00" in page


# --- Sub-screens ------------------------------------------------------------------------------


def test_exam_detail_lists_attempts_newest_first(client_a, wilmer):
    person, _ = wilmer
    url = reverse("elip:person_exam", kwargs={"public_id": person.public_id, "component": "Lezen"})
    page = text(client_a.get(url))
    assert in_order(
        page,
        "Terug",
        "Details examen Lezen Wilmer Gonzalez",
        "Examenpogingen Lezen",
        "4E POGING, 17-04-2013, NIET GESLAAGD",
        "3E POGING, 18-03-2013, NIET GESLAAGD",
        "2E POGING, 16-02-2013, NIET GESLAAGD",
        "1E POGING, 17-01-2013, NIET GESLAAGD",
    )


def test_exam_detail_without_attempts(client_a, wilmer):
    person, _ = wilmer
    url = reverse("elip:person_exam", kwargs={"public_id": person.public_id, "component": "Spreken"})
    assert "Er zijn nog geen examenpogingen." in text(client_a.get(url))


def test_contract_detail_shows_all_fields_in_order(client_a, wilmer):
    person, data = wilmer
    url = reverse("elip:person_contract", kwargs={"public_id": person.public_id, "pk": data["contract"].pk})
    page = text(client_a.get(url))
    assert in_order(
        page,
        "Details Wilmer Gonzalez",
        "Details contract",
        f"Contractnummer {data['contract'].number}",
        "Opleiding Inburgering",
        "Instelling Yuverta MBO Den Bosch",
        "Startdatum 01-01-2021",
        "Einddatum 30-06-2021",
        "Uren 100",
        "Uurtarief € 20,00",
        "Bedrag lesmiddel € 200,00",
        "Totaalbedrag € 2.200,00",
    )


def test_invoice_detail_shows_all_fields_in_order(client_a, wilmer):
    person, data = wilmer
    paid, rejected = data["invoices"]
    url = reverse("elip:person_invoice", kwargs={"public_id": person.public_id, "pk": paid.pk})
    page = text(client_a.get(url))
    assert in_order(
        page,
        "Details Wilmer Gonzalez",
        "Details factuur",
        f"Contractnummer {data['contract'].number}",
        "Opleiding Inburgering",
        "Instelling Yuverta MBO Den Bosch",
        "Adres crediteur Paleiskwartier 1 5224 CC 's-Hertogenbosch",
        f"Factuurnummer {paid.number}",
        "Omschrijving Factuur yuverta inburgering",
        "Factuurdatum 02-01-2021",
        "Status Betaald",
        "Periode 01-01-2021 t/m 30-06-2021",
        "Aantal cursussen 100",
        "Bedrag cursuskosten € 2.000,00",
        "Bedrag lesmateriaal € 200,00",
        "Bedrag examenkosten € 200,00",
        "Totaalbedrag € 2.400,00",
        "Reden weigering -",
    )
    url = reverse("elip:person_invoice", kwargs={"public_id": person.public_id, "pk": rejected.pk})
    page = text(client_a.get(url))
    assert "Status Afgewezen" in page and "Reden weigering Geen geldig contract" in page


def test_back_links_have_class_link_back(client_a, wilmer):
    person, data = wilmer
    urls = [
        reverse("elip:persons_search"),
        reverse("elip:persons_list"),
        detail_url(person),
        reverse("elip:person_exam", kwargs={"public_id": person.public_id, "component": "KNM"}),
        reverse("elip:person_contract", kwargs={"public_id": person.public_id, "pk": data["contract"].pk}),
        reverse("elip:person_invoice", kwargs={"public_id": person.public_id, "pk": data["invoices"][0].pk}),
    ]
    for url in urls:
        assert 'class="utrecht-link link-back"' in client_a.get(url).content.decode(), url


# --- Scoping: 404 -----------------------------------------------------------------------------


def _all_urls(person, data):
    kw = {"public_id": person.public_id}
    return [
        detail_url(person),
        reverse("elip:person_exam", kwargs={**kw, "component": data["exams"][1].component}),
        reverse("elip:person_contract", kwargs={**kw, "pk": data["contract"].pk}),
        reverse("elip:person_invoice", kwargs={**kw, "pk": data["invoices"][0].pk}),
    ]


@pytest.mark.parametrize("case", ["other_municipality", "no_letter", "moved_away"])
def test_out_of_scope_person_answers_404_on_every_screen(client_a, case):
    if case == "other_municipality":
        person = PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))
    elif case == "no_letter":
        person = PersonFactory(municipality=municipality(GRONINGEN), loan_used=Decimal("9000"))
    else:
        person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    data = full_history(person)
    if case == "moved_away":
        Person.objects.filter(pk=person.pk).update(municipality=municipality(AMSTERDAM))
    for url in _all_urls(person, data):
        response = client_a.get(url)
        assert response.status_code == 404, url
        assert person.bsn not in response.content.decode()
    assert not ReadLogEntry.objects.filter(person=person).exists()


def test_moved_person_is_visible_to_the_new_municipality(client):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    Person.objects.filter(pk=person.pk).update(municipality=municipality(AMSTERDAM))
    user = UserFactory(username="bert", roles={AMSTERDAM: [Role.ELIP_PERSONS]})
    client.force_login(user)
    assert client.get(detail_url(person)).status_code == 200


def test_foreign_sub_objects_answer_404(client_a, wilmer):
    person, _ = wilmer
    other = PersonFactory(
        elip=True, code=GRONINGEN, loan_used=Decimal("8720")
    )  # also visible, but the sub-objects are not Wilmer's
    other_data = full_history(other)
    kw = {"public_id": person.public_id}
    for url in [
        reverse("elip:person_contract", kwargs={**kw, "pk": other_data["contract"].pk}),
        reverse("elip:person_invoice", kwargs={**kw, "pk": other_data["invoices"][0].pk}),
        reverse("elip:person_contract", kwargs={**kw, "pk": 999_999}),
        reverse("elip:person_invoice", kwargs={**kw, "pk": 999_999}),
        reverse("elip:person_exam", kwargs={**kw, "component": "ONA"}),  # no such exam row
        reverse("elip:person_exam", kwargs={**kw, "component": "Onzin"}),
    ]:
        assert client_a.get(url).status_code == 404, url


def test_unknown_public_id_and_malformed_urls_answer_404(client_a):
    assert client_a.get("/elip/personen/6f1e2d3c-0000-4000-8000-000000000000/").status_code == 404
    assert client_a.get("/elip/personen/123456782/").status_code == 404  # a BSN is no id


# --- Roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ELIP_PERSONS])
def test_other_roles_get_403_with_dutch_explanation(client, role, wilmer):
    person, _ = wilmer
    client.force_login(UserFactory(username="zonder", roles={GRONINGEN: [role]}))
    for url in [reverse("elip:persons_search"), reverse("elip:persons_list"), detail_url(person)]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Raadplegen ELIP personen" in text(response)
        assert person.bsn not in response.content.decode()


def test_anonymous_is_sent_to_login(client, wilmer):
    person, _ = wilmer
    response = client.get(detail_url(person))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_search_rejects_other_methods(client_a):
    assert client_a.put(reverse("elip:persons_search")).status_code == 405
    assert client_a.post(reverse("elip:persons_list")).status_code == 405
