"""Helpers for the letters tests: a dispatch, persons with data in every table, and their letters.

The letters app knows no ELIP run: its tests make a ``Dispatch`` (what a run makes) directly."""

import datetime as dt
from decimal import Decimal

from letters.content import build_snapshots
from letters.models import Dispatch, Letter
from pib.constants import AttemptResult, Course, ExamComponent, Gender, LoanRequestStatus
from pib.models import Enrolment, LoanRequest
from tests.pib.factories import InstitutionFactory, PersonFactory, add_exam, municipality

LETTER_DATE = dt.date(2021, 6, 25)
CONTACTS = {
    "phone": "060 – 987 321 60",
    "email": "elip@gemeentedorpenstad.nl",
    "website": "elip.gemeentedorpenstad.nl",
}
DUO_CONTACT_OF_MUNICIPALITY = {
    "contact_name": "Jantje Contactpersoon",
    "contact_phone": "070 111 22 33",
    "contact_email": "contactpersoon-duo@gemeente.example",
}


def contacts_for(*municipalities, **overrides):
    return {m.pk: {"name": m.name, **CONTACTS, **overrides} for m in municipalities}


def make_dispatch(date=LETTER_DATE) -> Dispatch:
    return Dispatch.objects.get_or_create(date=date)[0]


def model_person(**kwargs):
    """A person like the appendix letter's Mevrouw S.E.J. Tneinam."""
    defaults = {
        "first_names": "Sara Elif Jamila",
        "last_name": "Tneinam",
        "gender": Gender.FEMALE,
        "street": "Nepadresstraat",
        "house_number": 1,
        "postcode": "5052 MA",
        "city": "Destad",
        "term_start": dt.date(2017, 12, 15),
        "term_end": dt.date(2020, 12, 15),
        "loan_used": Decimal("8000"),
    }
    defaults.update(kwargs)
    person = PersonFactory(**defaults)
    failed, passed = AttemptResult.FAILED, AttemptResult.PASSED
    add_exam(person, ExamComponent.SPEAKING, [failed, passed], first_date=dt.date(2019, 7, 31))
    add_exam(person, ExamComponent.LISTENING, [failed, passed], first_date=dt.date(2019, 6, 20))
    add_exam(person, ExamComponent.READING, [failed] * 4, first_date=dt.date(2018, 11, 10))
    add_exam(person, ExamComponent.WRITING, [failed] * 3, first_date=dt.date(2019, 11, 13))
    add_exam(person, ExamComponent.KNM, [failed] * 3 + [passed], first_date=dt.date(2019, 7, 28))
    LoanRequest.objects.create(person=person, received_on=dt.date(2017, 12, 18), status=LoanRequestStatus.GRANTED)
    Enrolment.objects.create(
        person=person,
        course=Course.INTEGRATION,
        institution=InstitutionFactory(name="Hier leert u Nederlands"),
        start_date=dt.date(2018, 1, 18),
        end_date=dt.date(2019, 5, 20),
    )
    loan = person.loan
    loan.start_date, loan.end_date = dt.date(2017, 12, 28), dt.date(2020, 12, 15)
    loan.save()
    return person


def make_letters(persons, dispatch=None, contacts=None):
    dispatch = dispatch or make_dispatch()
    muni = {p.municipality for p in persons}
    contacts = contacts or contacts_for(*muni)
    snapshots = build_snapshots([p.pk for p in persons], on_date=dispatch.date, municipality_contacts=contacts)
    return [
        Letter.objects.create(
            person=p,
            municipality=p.municipality,
            dispatch=dispatch,
            letter_date=dispatch.date,
            reference=f"HH63/{p.pk}",
            matched_rule="termijn_en_lening",
            snapshot=snapshots[p.pk],
        )
        for p in persons
    ]


__all__ = ["municipality"]
