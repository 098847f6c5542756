"""The screens of manual §3.2: search, select, bulk change, print; scoping and no BSN in URLs."""

import datetime as dt
import re

import pytest

from pib.constants import Role
from pib.models import ReadLogEntry
from signals.constants import SignalCode, SignalStatus
from signals.models import Signal, SignalStatusChange
from signals.services import person_contact_assign
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory, signals_user

pytestmark = pytest.mark.django_db
SEARCH = "/signalen/"


def results_url(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def search(client, **data):
    return client.post(SEARCH, {"zoek": "1", **data})


def html(response):
    return response.content.decode()


def row_ids(response):
    return [int(v) for v in re.findall(r'name="signaal" value="(\d+)"', html(response))]


@pytest.fixture
def own_person():
    return PersonFactory(municipality=municipality("GM0363"), last_name="Da Costa")


@pytest.fixture
def foreign_signal():
    return SignalFactory(person=PersonFactory(municipality=municipality("GM0599"), last_name="Buitenlid"))


# --- access -------------------------------------------------------------------------------------


def test_anonymous_goes_to_login(client):
    assert client.get(SEARCH)["Location"].startswith("/inloggen/")


def test_user_without_signals_role_gets_403(client):
    client.force_login(UserFactory(roles={"GM0363": [Role.ELIP_PERSONS]}))
    for url in [SEARCH, "/signalen/download/", "/signalen/resultaten/alle/"]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Raadplegen en muteren ELIP signalen" in html(response)


# --- Zoeken signalen ---------------------------------------------------------------------------


def test_search_screen_shows_open_count_and_links(client_signals, own_person, foreign_signal):
    SignalFactory.create_batch(2, person=own_person, status=SignalStatus.NEW)
    SignalFactory(person=own_person, status=SignalStatus.IN_PROGRESS)
    SignalFactory(person=own_person, status=SignalStatus.DONE)
    page = html(client_signals.get(SEARCH))
    assert "Zoeken signalen ELIP" in page
    assert "Er zijn <strong>3</strong> signalen voor uw gemeente die nog niet afgehandeld zijn." in page
    for text in [
        "Toon deze signalen.",
        "Download alle signalen.",
        "Burgerservicenummer",
        "Datum signaal vanaf",
        "Datum signaal tot en met",
        "Code signaal",
        "Status signaal",
        ">Zoek<",
        "Toon alle signalen",
        "wis velden",
    ]:
        assert text in page


def test_invalid_bsn_gives_dutch_error(client_signals):
    response = search(client_signals, bsn="123456789")
    assert response.status_code == 200
    assert "elfproef" in html(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "date_from_0": "10",
                "date_from_1": "6",
                "date_from_2": "2023",
                "date_to_0": "1",
                "date_to_1": "6",
                "date_to_2": "2023",
            },
            "ligt vóór de datum",
        ),
        ({"date_from_0": "31", "date_from_1": "2", "date_from_2": "2023"}, "bestaande datum"),
        ({"date_from_0": "31", "date_from_2": "2023"}, "volledige datum"),
        ({"date_to_0": "x", "date_to_1": "y", "date_to_2": "z"}, "bestaande datum"),
        ({"code": "SS999"}, "Code signaal"),
        ({"status": "weg"}, "Status signaal"),
    ],
)
def test_bad_input_gives_dutch_error_never_500(client_signals, data, message):
    response = search(client_signals, **data)
    assert response.status_code == 200
    assert message in html(response)


def test_no_results_message(client_signals, own_person):
    SignalFactory(person=own_person, code=SignalCode.SS400)
    response = search(client_signals, code="SS402")
    assert "Er zijn geen zoekresultaten gevonden op basis van de opgegeven criteria." in html(response)


def test_search_by_bsn_redirects_to_results_without_bsn_in_url(client_signals, own_person):
    other = PersonFactory(municipality=own_person.municipality)
    mine = SignalFactory(person=own_person)
    SignalFactory(person=other)
    url = results_url(search(client_signals, bsn=own_person.bsn))
    assert own_person.bsn not in url
    response = client_signals.get(url)
    assert row_ids(response) == [mine.pk]
    # Paging and sorting links carry only the search id, page and sort.
    for link in re.findall(r'href="([^"]+)"', html(response)):
        assert own_person.bsn not in link


def test_search_criteria_in_a_query_string_are_ignored(client_signals, own_person):
    SignalFactory(person=own_person)
    page = html(client_signals.get(f"{SEARCH}?bsn={own_person.bsn}&code=SS400"))
    assert own_person.bsn not in page  # no search, no person shown
    assert "Er zijn geen zoekresultaten" not in page


def test_search_filters_by_date_code_and_status(client_signals, own_person):
    hit = SignalFactory(person=own_person, placed_on=dt.date(2023, 6, 14), code="SS401", status="in_behandeling")
    SignalFactory(person=own_person, placed_on=dt.date(2023, 6, 20), code="SS401", status="in_behandeling")
    SignalFactory(person=own_person, placed_on=dt.date(2023, 6, 14), code="SS400", status="in_behandeling")
    SignalFactory(person=own_person, placed_on=dt.date(2023, 6, 14), code="SS401", status="nieuw")
    url = results_url(
        search(
            client_signals,
            date_from_0="14",
            date_from_1="6",
            date_from_2="2023",
            date_to_0="14",
            date_to_1="06",
            date_to_2="2023",
            code="SS401",
            status="in_behandeling",
        )
    )
    assert row_ids(client_signals.get(url)) == [hit.pk]


def test_toon_deze_signalen_shows_not_done(client_signals, own_person):
    new = SignalFactory(person=own_person, status="nieuw")
    busy = SignalFactory(person=own_person, status="in_behandeling")
    SignalFactory(person=own_person, status="afgehandeld")
    response = client_signals.get("/signalen/resultaten/openstaand/")
    assert sorted(row_ids(response)) == sorted([new.pk, busy.pk])
    assert "Er zijn <strong>2</strong> signalen gevonden." in html(response)


def test_toon_alle_signalen_button(client_signals, own_person):
    signals = SignalFactory.create_batch(3, person=own_person, status="afgehandeld")
    url = results_url(client_signals.post(SEARCH, {"toon_alle": "1", "bsn": "garbage"}))
    assert sorted(row_ids(client_signals.get(url))) == sorted(s.pk for s in signals)


def test_unknown_or_expired_search_id_goes_back_to_search(client_signals):
    for sid in ["onbekend", "a" * 40, "%3Cscript%3E"]:
        response = client_signals.get(f"/signalen/resultaten/{sid}/")
        assert response.status_code == 302 and response["Location"] == SEARCH


def test_search_id_of_another_session_is_not_usable(client, own_person):
    SignalFactory(person=own_person)
    first = signals_user(username="eerste")
    client.force_login(first)
    url = results_url(search(client, bsn=own_person.bsn))
    client.logout()
    client.force_login(signals_user(username="tweede"))
    assert client.get(url).status_code == 302


# --- Selecteren signalen -----------------------------------------------------------------------


def test_results_table_columns_and_values(client_signals, own_person, user):
    person_contact_assign(municipality=own_person.municipality, person=own_person, user=user)
    SignalFactory(person=own_person, code=SignalCode.SS403, placed_on=dt.date(2023, 6, 10))
    page = html(client_signals.get("/signalen/resultaten/alle/"))
    for header in ["Status", "BSN", "Achternaam", "Code", "Omschrijving", "Datum", "Contactpersoon"]:
        assert f">{header}" in page
    assert "Er zijn <strong>1</strong> signalen gevonden." in page
    assert '<strong class="js-selected-count">0</strong> <span class="js-selected-noun">signalen</span>' in page
    assert 'class="utrecht-paragraph js-selected-line" hidden' in page  # shown by signals.js only
    for value in [
        "Nieuw",
        own_person.bsn,
        "Da Costa",
        "SS403",
        "Persoon is verhuisd naar uw gemeente",
        "10-06-2023",
        "Test Medewerker",
    ]:
        assert value in page
    for button in ['value="in_behandeling"', 'value="afgehandeld"', 'value="printen"']:
        assert button in page
    assert 'js-select-all"' in page
    assert "signals/signals.js" in page
    assert "<script>" not in page and "style=" not in page


def test_bsn_is_no_link_for_a_user_with_only_the_signals_role(client_signals, own_person):
    """DOMAIN.md: a link only where the user may follow it (tests/signals/test_results_issue13.py)."""
    SignalFactory(person=own_person)
    page = html(client_signals.get("/signalen/resultaten/alle/"))
    assert own_person.bsn in page
    assert "/elip/personen/" not in page


def test_results_page_is_read_logged(client_signals, own_person):
    SignalFactory.create_batch(2, person=own_person)
    client_signals.get("/signalen/resultaten/alle/")
    entries = ReadLogEntry.objects.filter(screen="Selecteren signalen")
    assert entries.count() == 2 and {e.person_id for e in entries} == {own_person.pk}
    assert all(e.role == Role.ELIP_SIGNALS for e in entries)


def test_paging_20_per_page(client_signals, own_person):
    signals = [
        SignalFactory(person=own_person, placed_on=dt.date(2023, 1, 1) + dt.timedelta(days=i)) for i in range(45)
    ]
    newest_first = [s.pk for s in reversed(signals)]
    first = client_signals.get("/signalen/resultaten/alle/")
    assert row_ids(first) == newest_first[:20]
    assert "Volgende &gt;" in html(first) and "1 van 3" in html(first)  # the one pager (capitals by CSS)
    assert row_ids(client_signals.get("/signalen/resultaten/alle/?pagina=3")) == newest_first[40:]
    # Out of range or garbage pages never fail.
    assert row_ids(client_signals.get("/signalen/resultaten/alle/?pagina=99")) == newest_first[40:]
    assert row_ids(client_signals.get("/signalen/resultaten/alle/?pagina=x")) == newest_first[:20]


def test_sorting_cycles_ascending_descending_unsorted(client_signals, own_person):
    a = SignalFactory(person=own_person, code="SS402", placed_on=dt.date(2023, 1, 2))
    b = SignalFactory(person=own_person, code="SS400", placed_on=dt.date(2023, 1, 3))
    c = SignalFactory(person=own_person, code="SS401", placed_on=dt.date(2023, 1, 1))
    base = "/signalen/resultaten/alle/"
    unsorted = client_signals.get(base)
    assert row_ids(unsorted) == [b.pk, a.pk, c.pk]  # default: newest first
    assert f'href="{base}?sortering=code"' in html(unsorted)
    ascending = client_signals.get(f"{base}?sortering=code")
    assert row_ids(ascending) == [b.pk, c.pk, a.pk]
    assert f'href="{base}?sortering=-code"' in html(ascending)
    descending = client_signals.get(f"{base}?sortering=-code")
    assert row_ids(descending) == [a.pk, c.pk, b.pk]
    assert f'href="{base}"' in html(descending)  # third click: unsorted again
    # Unknown sort keys are ignored.
    assert row_ids(client_signals.get(f"{base}?sortering=person__bsn")) == [b.pk, a.pk, c.pk]


SORT_KEYS = {
    "status": lambda s: (s.status, s.pk),
    "bsn": lambda s: (s.person.bsn, s.pk),
    "surname": lambda s: (s.person.last_name, s.pk),
    "code": lambda s: (s.code, s.pk),
    "description": lambda s: (s.code, s.pk),  # the description follows the code
    "placed_on": lambda s: (s.placed_on, s.pk),
    "contact_name": lambda s: (s.contact, s.pk),
}


@pytest.mark.parametrize("column", SORT_KEYS)
def test_every_column_sorts_in_both_directions(client_signals, user, column):
    """Three signals whose values put them in a different order for each column than the default
    (newest first): the rows must come in exactly the column's order, and reversed for '-column'."""
    rows = [
        # surname, contact person, code, status, placed on
        ("Claes", "Bram", "SS402", SignalStatus.IN_PROGRESS, dt.date(2023, 1, 2)),
        ("Aalders", "Cees", "SS400", SignalStatus.NEW, dt.date(2023, 1, 3)),
        ("Bakker", "Anna", "SS401", SignalStatus.DONE, dt.date(2023, 1, 1)),
    ]
    signals = []
    for surname, contact, code, status, placed_on in rows:
        person = PersonFactory(municipality=municipality("GM0363"), last_name=surname)
        colleague = UserFactory(first_name=contact, last_name="Medewerker", roles={"GM0363": [Role.ELIP_SIGNALS]})
        person_contact_assign(municipality=person.municipality, person=person, user=colleague)
        signal = SignalFactory(person=person, code=code, status=status, placed_on=placed_on)
        signal.contact = f"{contact} Medewerker"
        signals.append(signal)
    newest_first = [s.pk for s in sorted(signals, key=lambda s: s.placed_on, reverse=True)]
    expected = [s.pk for s in sorted(signals, key=SORT_KEYS[column])]
    assert expected != newest_first  # the data can tell a sorted list from the default one
    assert row_ids(client_signals.get(f"/signalen/resultaten/alle/?sortering={column}")) == expected
    assert row_ids(client_signals.get(f"/signalen/resultaten/alle/?sortering=-{column}")) == expected[::-1]


def test_sorting_keeps_while_paging(client_signals, own_person):
    for i in range(25):
        SignalFactory(person=own_person, placed_on=dt.date(2023, 1, 1) + dt.timedelta(days=i))
    page = html(client_signals.get("/signalen/resultaten/alle/?sortering=placed_on"))
    assert "?pagina=2&amp;sortering=placed_on" in page


def test_results_query_count_does_not_grow(client_signals, own_person, user, django_assert_max_num_queries):
    person_contact_assign(municipality=own_person.municipality, person=own_person, user=user)
    SignalFactory.create_batch(3, person=own_person)
    client_signals.get(SEARCH)  # first request stores the chosen municipality in the session
    with django_assert_max_num_queries(7 + 4) as small:  # + OTP device and the idle-deadline session write
        client_signals.get("/signalen/resultaten/alle/")
    for _ in range(40):
        person = PersonFactory(municipality=own_person.municipality)
        person_contact_assign(municipality=own_person.municipality, person=person, user=user)
        SignalFactory(person=person)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client_signals.get("/signalen/resultaten/alle/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client_signals.get("/signalen/resultaten/alle/?pagina=2&sortering=contact_name")


# --- bulk change -------------------------------------------------------------------------------


def test_bulk_in_behandeling_and_message(client_signals, own_person, user):
    signals = SignalFactory.create_batch(3, person=own_person)
    response = client_signals.post(
        "/signalen/resultaten/alle/",
        {"actie": "in_behandeling", "signaal": [signals[0].pk, signals[1].pk], "pagina": "1", "sortering": "-code"},
    )
    assert response["Location"] == "/signalen/resultaten/alle/?pagina=1&sortering=-code"
    assert sorted(Signal.objects.values_list("status", flat=True)) == ["in_behandeling", "in_behandeling", "nieuw"]
    assert SignalStatusChange.objects.filter(user=user).count() == 2
    page = html(client_signals.get(response["Location"]))
    assert "2 signalen hebben de status &#x27;In behandeling&#x27; gekregen." in page


def test_header_checkbox_without_javascript_applies_to_the_page(client_signals, own_person):
    signals = SignalFactory.create_batch(3, person=own_person)
    client_signals.post(
        "/signalen/resultaten/alle/",
        {"actie": "afgehandeld", "alle": "1", "pagina_signaal": [s.pk for s in signals]},
    )
    assert set(Signal.objects.values_list("status", flat=True)) == {"afgehandeld"}


def test_illegal_bulk_move_shows_error_and_changes_nothing(client_signals, own_person):
    done = SignalFactory(person=own_person, status="afgehandeld")
    new = SignalFactory(person=own_person)
    response = client_signals.post(
        "/signalen/resultaten/alle/", {"actie": "in_behandeling", "signaal": [new.pk, done.pk]}
    )
    page = html(client_signals.get(response["Location"]))
    assert "kan niet de status" in page and "Er is niets gewijzigd." in page
    assert Signal.objects.get(pk=new.pk).status == "nieuw"


def test_nothing_selected_is_a_dutch_message(client_signals, own_person):
    SignalFactory(person=own_person)
    response = client_signals.post("/signalen/resultaten/alle/", {"actie": "afgehandeld"})
    assert "Selecteer ten minste één signaal" in html(client_signals.get(response["Location"]))


@pytest.mark.parametrize("ids", [["abc"], ["-1"], ["99999999999999999999"]])
def test_garbage_ids_never_500(client_signals, ids):
    response = client_signals.post("/signalen/resultaten/alle/", {"actie": "afgehandeld", "signaal": ids})
    assert response.status_code == 302
    response = client_signals.post("/signalen/resultaten/alle/", {"actie": "printen", "signaal": ids})
    assert response.status_code == 404


# --- no leak to another municipality ----------------------------------------------------------


def test_foreign_signal_not_in_list_or_search(client_signals, own_person, foreign_signal):
    mine = SignalFactory(person=own_person)
    assert row_ids(client_signals.get("/signalen/resultaten/alle/")) == [mine.pk]
    response = search(client_signals, bsn=foreign_signal.person.bsn)
    assert "Er zijn geen zoekresultaten gevonden" in html(response)
    assert "Buitenlid" not in html(client_signals.get("/signalen/resultaten/openstaand/"))
    assert "Er zijn <strong>1</strong> signalen voor uw gemeente" in html(client_signals.get(SEARCH))


def test_bulk_post_with_foreign_id_touches_nothing(client_signals, own_person, foreign_signal):
    mine = SignalFactory(person=own_person)
    client_signals.post("/signalen/resultaten/alle/", {"actie": "afgehandeld", "signaal": [mine.pk, foreign_signal.pk]})
    client_signals.post("/signalen/resultaten/alle/", {"actie": "afgehandeld", "signaal": [foreign_signal.pk]})
    assert Signal.objects.get(pk=foreign_signal.pk).status == "nieuw"
    assert Signal.objects.get(pk=mine.pk).status == "nieuw"
    assert not SignalStatusChange.objects.exists()


def test_print_with_foreign_id_is_404(client_signals, own_person, foreign_signal):
    mine = SignalFactory(person=own_person)
    response = client_signals.post("/signalen/resultaten/alle/", {"actie": "printen", "signaal": [foreign_signal.pk]})
    assert response.status_code == 404
    response = client_signals.post(
        "/signalen/resultaten/alle/", {"actie": "printen", "signaal": [mine.pk, foreign_signal.pk]}
    )
    assert response.status_code == 404 and "Buitenlid" not in html(response)


def test_chosen_municipality_decides(client, own_person, foreign_signal):
    """A user with the role for two municipalities sees only the chosen one's signals."""
    SignalFactory(person=own_person)
    user = UserFactory(roles={"GM0363": [Role.ELIP_SIGNALS], "GM0599": [Role.ELIP_SIGNALS]})
    client.force_login(user)
    client.post("/gemeente-kiezen/", {"gemeente": municipality("GM0599").pk, "next": SEARCH})
    assert row_ids(client.get("/signalen/resultaten/alle/")) == [foreign_signal.pk]


# --- print -------------------------------------------------------------------------------------


def test_print_page_shows_selection_and_is_logged(client_signals, own_person):
    chosen, other = SignalFactory(person=own_person, code="SS401"), SignalFactory(person=own_person, code="SS404")
    response = client_signals.post("/signalen/resultaten/alle/", {"actie": "printen", "signaal": [chosen.pk]})
    page = html(response)
    assert response.status_code == 200
    assert "SS401" in page and "SS404" not in page and own_person.bsn in page
    assert "signals/print.css" in page
    assert ReadLogEntry.objects.filter(screen="Printen signalen", person=own_person).count() == 1
    assert Signal.objects.get(pk=other.pk).status == "nieuw"


def test_person_data_pages_are_not_cached(client_signals, own_person):
    signal = SignalFactory(person=own_person)
    for response in [
        client_signals.get("/signalen/resultaten/alle/"),
        client_signals.post("/signalen/resultaten/alle/", {"actie": "printen", "signaal": [signal.pk]}),
        client_signals.get("/signalen/download/"),
    ]:
        assert "no-store" in response["Cache-Control"]
