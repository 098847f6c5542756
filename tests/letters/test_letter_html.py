"""The letter's HTML, section by section, against the manual's appendix letter."""

import datetime as dt
import html as htmllib
import re

import pytest
from django.template.loader import render_to_string

from letters.content import build_snapshots
from letters.services import LETTER_TEMPLATE, letter_context
from pib.constants import Gender

from .helpers import CONTACTS, DUO_CONTACT_OF_MUNICIPALITY, LETTER_DATE, contacts_for, make_letters, model_person


def text_of(html: str) -> str:
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text).replace(" ,", ",").replace(" .", ".")


@pytest.fixture
def letter(db):
    return make_letters([model_person()])[0]


def test_every_section_with_the_right_values(letter):
    html = render_to_string(LETTER_TEMPLATE, letter_context(letter))
    text = text_of(html)
    s = letter.snapshot
    name = s["municipality"]["name"]
    expected_in_order = [
        "Retouradres Postbus 764 9700 AT Groningen",
        "Mevrouw S.E.J. Tneinam Nepadresstraat 1 5052 MA DESTAD",
        "Contact Postbus 764 9700 AT Groningen T 050 599 96 00 F 050 599 92 95 www.inburgeren.nl sci@duo.nl",
        f"BSN {letter.person.bsn}",
        f"Onze referentie {letter.reference}",
        "Datum 25 juni 2021",
        "Betreft Hulp van uw gemeente bij het inburgeren",
        "Geachte mevrouw Tneinam,",
        f"Op verzoek van de gemeente {name} stuurt de Dienst Uitvoering Onderwijs (DUO) u deze brief.",
        "Waarom krijgt u deze brief?",
        f"U bent inburgeringsplichtig. De gemeente {name} kan u helpen om op tijd klaar te zijn met inburgeren. "
        "Maak snel een afspraak met uw gemeente.",
        "Wanneer moet u klaar zijn met inburgeren?",
        "U bent nog steeds inburgeringsplichtig. U hebt tot en met 15 december 2020 de tijd om te voldoen aan uw "
        "inburgeringsplicht.",
        "Als u niet op tijd uw inburgeringsdiploma haalt, kan DUO u een boete geven.",
        "Wat voor hulp kunt u krijgen van de gemeente?",
        "U kunt samen met iemand van de gemeente over uw inburgeringsexamens praten. De medewerker van de gemeente "
        "kijkt samen met u welke examens u nog moet doen. En op welke manier u dat het beste kunt doen.",
        "De gemeente kan u ook helpen met het vinden van de juiste taalaanbieder.",
        "Lukt het inburgeren niet door persoonlijke omstandigheden?",
        "U kunt samen met iemand van de gemeente over uw persoonlijke omstandigheden praten. De gemeente kan u "
        "vertellen wat de mogelijkheden zijn.",
        "Wat moet u doen?",
        "Als u hulp van uw gemeente wilt, maak meteen een afspraak. U kunt bellen naar 060 – 987 321 60. "
        "Of u kunt een e-mail sturen naar elip@gemeentedorpenstad.nl. "
        "U krijgt dan informatie over waar u naar toe moet gaan.",
        "U kunt ook kijken op de website van de gemeente elip.gemeentedorpenstad.nl.",
        "Hieronder leest u de gegevens zoals ze op 25 juni 2021 bij DUO bekend zijn.",
        "Overzicht examenonderdelen Datum laatste examen Status Totaal deelnames",
        "Spreekvaardigheid 30.08.2019 Geslaagd 2",
        "Luistervaardigheid 20.07.2019 Geslaagd 2",
        "Leesvaardigheid 08.02.2019 Niet geslaagd 4",
        "Schrijfvaardigheid 12.01.2020 Niet geslaagd 3",
        "Kennis Nederlandse Maatschappij 26.10.2019 Geslaagd 4",
        "Overzicht examens die u nog moet doen. U bent hiervoor nog niet aangemeld. Leesvaardigheid Schrijfvaardigheid",
        "Overzicht verzoeken Ontvangstdatum Status Verzoek lening 18.12.2017 Toegekend",
        "Overzicht Lening Datum Bedrag Lening start 28.12.2017 Lening einde 15.12.2020 Hoofdsom 10.000,00 "
        "Opgebouwde rente 0,00 Hoofdsom + rente 8.000,00 Nog te lenen 2.000,00",
        "Overzicht Opleidingen Startdatum Einddatum Hier leert u Nederlands, Inburgering 18.01.2018 20.05.2019",
        "De minister van Sociale Zaken en Werkgelegenheid, voor deze, Directeur Registers & Examens",
    ]
    position = 0
    for fragment in expected_in_order:
        found = text.find(fragment, position)
        assert found >= 0, f"missing or out of order: {fragment!r}"
        position = found + len(fragment)
    assert "VOORBEELD" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term_end", "present"),
    [(dt.date(2022, 6, 25), True), (dt.date(2022, 6, 26), False)],
)
def test_fine_sentence_only_within_12_months(term_end, present):
    letter = make_letters([model_person(term_end=term_end)])[0]
    html = render_to_string(LETTER_TEMPLATE, letter_context(letter))
    assert ("kan DUO u een boete geven" in html) is present


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("gender", "salutation", "name_line"),
    [
        (Gender.FEMALE, "Geachte mevrouw Tneinam,", "Mevrouw S.E.J. Tneinam"),
        (Gender.MALE, "Geachte heer Tneinam,", "De heer S.E.J. Tneinam"),
        (Gender.UNKNOWN, "Geachte heer/mevrouw Tneinam,", "S.E.J. Tneinam"),
    ],
)
def test_salutation_by_gender_in_letter(gender, salutation, name_line):
    letter = make_letters([model_person(gender=gender)])[0]
    text = text_of(render_to_string(LETTER_TEMPLATE, letter_context(letter)))
    assert salutation in text
    assert name_line in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("contacts", "expected", "absent"),
    [
        (
            {"phone": "010 123 45 67", "email": "", "website": ""},
            "U kunt bellen naar 010 123 45 67. U krijgt dan",
            ["e-mail sturen", "website van de gemeente"],
        ),
        (
            {"phone": "", "email": "elip@stad.nl", "website": ""},
            "maak meteen een afspraak. U kunt een e-mail sturen naar elip@stad.nl. U krijgt dan",
            ["bellen naar", "website van de gemeente", "Of u"],
        ),
    ],
)
def test_phone_or_email_only(contacts, expected, absent):
    person = model_person()
    letter = make_letters([person], contacts={person.municipality_id: {"name": "Stad", **contacts}})[0]
    text = text_of(render_to_string(LETTER_TEMPLATE, letter_context(letter)))
    assert expected in text
    for fragment in absent:
        assert fragment not in text


@pytest.mark.django_db
def test_duo_contact_data_of_the_municipality_never_appear():
    """Even when a caller hands the enrolment's DUO contact fields along, the letter ignores them."""
    person = model_person()
    contacts = contacts_for(person.municipality, **DUO_CONTACT_OF_MUNICIPALITY)
    snap = build_snapshots([person.pk], on_date=LETTER_DATE, municipality_contacts=contacts)[person.pk]
    assert set(snap["municipality"]) == {"name", "phone", "email", "website"}
    letter = make_letters([person], contacts=contacts)[0]
    html = render_to_string(LETTER_TEMPLATE, letter_context(letter))
    for value in DUO_CONTACT_OF_MUNICIPALITY.values():
        assert value not in html
    assert CONTACTS["phone"] in html


@pytest.mark.django_db
def test_person_data_is_escaped_in_html():
    letter = make_letters([model_person(last_name="<img src=http://127.0.0.1:9/x>", street="<b>Straat</b>")])[0]
    html = render_to_string(LETTER_TEMPLATE, letter_context(letter))
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=http://127.0.0.1:9/x&gt;" in html


@pytest.mark.django_db
def test_html_links_to_nothing(letter):
    html = render_to_string(LETTER_TEMPLATE, letter_context(letter))
    assert not re.search(r"<(link|img|script|style|iframe|object)\b", html)
    assert "url(" not in html and "style=" not in html
