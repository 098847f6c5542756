"""The letter's snapshot: values as the appendix letter shows them, loaded in a fixed number of queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from letters.content import build_snapshots, fine_sentence_applies
from pib.constants import Gender
from pib.dates import add_months
from tests.pib.factories import PersonFactory

from .helpers import CONTACTS, LETTER_DATE, contacts_for, model_person


def test_add_months_clamps_day():
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2021, 6, 25), 12) == dt.date(2022, 6, 25)
    assert add_months(dt.date(2021, 8, 31), -2) == dt.date(2021, 6, 30)


@pytest.mark.parametrize(
    ("term_end", "expected"),
    [
        (dt.date(2022, 6, 25), True),  # exactly letter date + 12 months: included
        (dt.date(2022, 6, 26), False),  # one day later: not
        (dt.date(2021, 6, 25), True),
        (dt.date(2020, 12, 15), True),  # already overdue (the manual's own example) still gets it
        (dt.date(2023, 1, 1), False),
    ],
)
def test_fine_sentence_boundary(term_end, expected):
    assert fine_sentence_applies(term_end, LETTER_DATE) is expected


@pytest.mark.django_db
def test_snapshot_of_the_model_letter():
    person = model_person()
    snap = build_snapshots([person.pk], on_date=LETTER_DATE, municipality_contacts=contacts_for(person.municipality))[
        person.pk
    ]
    json.dumps(snap)  # JSON-serialisable
    assert snap["recipient"]["name_line"] == "Mevrouw S.E.J. Tneinam"
    assert snap["recipient"]["address_line"] == "Nepadresstraat 1"
    assert snap["recipient"]["postcode_city"] == "5052 MA DESTAD"
    assert snap["bsn"] == person.bsn
    assert snap["salutation"] == "Geachte mevrouw Tneinam,"
    assert snap["term_end_words"] == "15 december 2020"
    assert snap["letter_date_words"] == "25 juni 2021"
    assert snap["fine_sentence"] is True
    assert snap["municipality"] == {"name": person.municipality.name, **CONTACTS}
    assert snap["exams"] == [
        {"name": "Spreekvaardigheid", "last_exam": "30.08.2019", "status": "Geslaagd", "attempts": 2},
        {"name": "Luistervaardigheid", "last_exam": "20.07.2019", "status": "Geslaagd", "attempts": 2},
        {"name": "Leesvaardigheid", "last_exam": "08.02.2019", "status": "Niet geslaagd", "attempts": 4},
        {"name": "Schrijfvaardigheid", "last_exam": "12.01.2020", "status": "Niet geslaagd", "attempts": 3},
        {"name": "Kennis Nederlandse Maatschappij", "last_exam": "26.10.2019", "status": "Geslaagd", "attempts": 4},
    ]
    assert snap["exams_to_do"] == ["Leesvaardigheid", "Schrijfvaardigheid"]
    assert snap["requests"] == [{"kind": "Verzoek lening", "received_on": "18.12.2017", "status": "Toegekend"}]
    assert snap["loan"] == {
        "start": "28.12.2017",
        "end": "15.12.2020",
        "principal": "10.000,00",
        "interest": "0,00",
        "principal_plus_interest": "8.000,00",
        "remaining": "2.000,00",
    }
    assert snap["courses"] == [
        {"name": "Hier leert u Nederlands, Inburgering", "start": "18.01.2018", "end": "20.05.2019"}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("gender", "prefix", "name_line", "salutation"),
    [
        (Gender.FEMALE, "", "Mevrouw W. Zuilen", "Geachte mevrouw Zuilen,"),
        (Gender.MALE, "", "De heer W. Zuilen", "Geachte heer Zuilen,"),
        (Gender.UNKNOWN, "", "W. Zuilen", "Geachte heer/mevrouw Zuilen,"),
        (Gender.MALE, "van", "De heer W. van Zuilen", "Geachte heer Van Zuilen,"),
    ],
)
def test_salutation_by_gender(gender, prefix, name_line, salutation):
    person = PersonFactory(gender=gender, prefix=prefix, last_name="Zuilen", first_names="Wilmer")
    snap = build_snapshots([person.pk], on_date=LETTER_DATE, municipality_contacts={})[person.pk]
    assert snap["recipient"]["name_line"] == name_line
    assert snap["salutation"] == salutation


@pytest.mark.django_db
def test_interest_adds_to_principal_plus_interest_and_remaining_never_negative():
    person = PersonFactory(loan_used=Decimal("10500"))
    person.loan.interest = Decimal("12.34")
    person.loan.save()
    snap = build_snapshots([person.pk], on_date=LETTER_DATE, municipality_contacts={})[person.pk]
    assert snap["loan"]["principal_plus_interest"] == "10.512,34"
    assert snap["loan"]["remaining"] == "0,00"


@pytest.mark.django_db
def test_person_without_loan_or_data():
    person = PersonFactory()
    person.loan.delete()
    snap = build_snapshots([person.pk], on_date=LETTER_DATE, municipality_contacts={})[person.pk]
    assert snap["loan"] is None
    assert snap["exams"] == [] and snap["requests"] == [] and snap["courses"] == []
    assert snap["municipality"]["name"] == person.municipality.name
    assert snap["municipality"]["phone"] == ""


@pytest.mark.django_db
def test_empty_batch_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert build_snapshots([], on_date=LETTER_DATE, municipality_contacts={}) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 12])
def test_query_count_does_not_grow_with_batch_size(batch_size, django_assert_max_num_queries):
    persons = [model_person() for _ in range(batch_size)]
    contacts = contacts_for(persons[0].municipality)
    with django_assert_max_num_queries(5):
        snaps = build_snapshots([p.pk for p in persons], on_date=LETTER_DATE, municipality_contacts=contacts)
    assert len(snaps) == batch_size
    assert all(len(s["exams"]) == 5 for s in snaps.values())
