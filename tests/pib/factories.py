"""Registry factories with traits for the states tests need: ONE factory per model.

PersonFactory(loan_used=Decimal("7500"))   # paid invoices adding up to that amount
PersonFactory(term_end=date(...))
PersonFactory(obligation_status=ObligationStatus.MET)
PersonFactory(code="GM0014")               # living in Groningen (default GM0363, Amsterdam)
PersonFactory(elip=True)                   # an ELIP person: the ELIP letter was sent
                                           # (tests.letters.factories.LetterFactory; letter__letter_date=…)
"""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from stdnum.nl import bsn as stdnum_bsn

from pib.constants import Course, Gender, InvoiceStatus, Law, ObligationStatus, Role
from pib.models import (
    Authorisation,
    Contract,
    Enrolment,
    Exam,
    ExamAttempt,
    Institution,
    Invoice,
    Loan,
    Municipality,
    Person,
    QualityMarkLoss,
    TermExtension,
)


def valid_bsn(n: int) -> str:
    """The n-th valid BSN from 100000000 upward: deterministic and elfproef-valid."""
    base = 10_000_000 + n
    for check in range(10):
        candidate = f"{base:08d}{check}"
        if stdnum_bsn.is_valid(candidate):
            return candidate
    return valid_bsn(n + 1_000_000)


def municipality(code="GM0363"):
    """One of the 342 loaded by migration."""
    return Municipality.objects.get(code=code)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Taalschool {n}")
    code = factory.Sequence(lambda n: f"BOW{n:05d}")
    creditor_street = "Paleiskwartier"
    creditor_house_number = "1"
    creditor_postcode = "5224 CC"
    creditor_city = "'s-Hertogenbosch"


class QualityMarkLossFactory(factory.django.DjangoModelFactory):
    """QualityMarkLossFactory(institution=school, lost_on=date(2025, 1, 1))"""

    class Meta:
        model = QualityMarkLoss

    institution = factory.SubFactory(InstitutionFactory)
    lost_on = dt.date(2025, 1, 1)
    note = "Keurmerk ingetrokken"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """EnrolmentFactory(person=p, institution=school, start_date=..., end_date=...)"""

    class Meta:
        model = Enrolment

    person = factory.SubFactory("tests.pib.factories.PersonFactory")
    course = Course.INTEGRATION
    institution = factory.SubFactory(InstitutionFactory)
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2025, 6, 30)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    class Params:
        code = "GM0363"  # the municipality the person lives in
        elip = factory.Trait(
            letter=factory.RelatedFactory("tests.letters.factories.LetterFactory", factory_related_name="person")
        )

    bsn = factory.Sequence(valid_bsn)
    first_names = "Wilmer"
    prefix = ""
    last_name = factory.Sequence(lambda n: f"Gonzalez{n}")
    gender = Gender.MALE
    birth_date = dt.date(1999, 6, 17)
    street = "Straat van de vrede"
    house_number = 12
    postcode = "5294 AA"
    city = "Boxtel"
    municipality = factory.LazyAttribute(lambda o: municipality(o.code))
    law = Law.WI2013
    obligation_status = ObligationStatus.OBLIGED
    term_start = dt.date(2021, 7, 1)
    term_end = dt.date(2024, 7, 1)

    @factory.post_generation
    def loan_used(self, create, extracted, **kwargs):
        """``loan_used=Decimal(...)``: a Loan (limit ``loan_limit`` or 10,000) and paid invoices of that total."""
        if not create:
            return
        limit = kwargs.get("limit", Decimal("10000"))
        Loan.objects.create(person=self, limit=limit, start_date=self.term_start, end_date=self.term_end)
        if extracted:
            pay(self, Decimal(extracted))


def pay(person, amount: Decimal, status=InvoiceStatus.PAID):
    """Adds a contract and one invoice of ``amount`` (course amount) with ``status``."""
    institution = InstitutionFactory()
    n = Invoice.objects.count() + Contract.objects.count() + 1
    contract = Contract.objects.create(
        person=person,
        number=f"C{person.pk}-{n}",
        course=Course.INTEGRATION,
        institution=institution,
        start_date=person.term_start,
        end_date=person.term_end,
        hours=1,
        hourly_rate=amount,
        materials_amount=0,
    )
    return Invoice.objects.create(
        person=person,
        contract=contract,
        number=f"F{person.pk}-{n}",
        description="Factuur inburgering",
        invoice_date=person.term_start,
        status=status,
        period_start=person.term_start,
        period_end=person.term_end,
        course_count=1,
        course_amount=amount,
        rejection_reason="" if status == InvoiceStatus.PAID else "Geen geldig contract",
    )


def add_exam(person, component, results=(), exempted=False, first_date=dt.date(2023, 1, 10)):
    exam = Exam.objects.create(person=person, component=component, exempted=exempted)
    for i, result in enumerate(results, start=1):
        ExamAttempt.objects.create(
            exam=exam, number=i, date=first_date + dt.timedelta(days=30 * (i - 1)), result=result
        )
    return exam


def add_extension(person, new_end, kind="Coronamaatregelen"):
    return TermExtension.objects.create(
        person=person, kind=kind, previous_end=person.term_end, new_end=new_end, granted_on=person.term_end
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"medewerker{n}")
    first_name = "Test"
    last_name = "Medewerker"
    password = factory.PostGenerationMethodCall("set_password", "geheim-wachtwoord-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """``roles={"GM0363": [Role.ELIP_PERSONS, ...]}``; also saves the password set above."""
        if not create:
            return
        for code, roles in (extracted or {}).items():
            for role in roles:
                Authorisation.objects.create(user=self, municipality=municipality(code), role=role)
        self.save()


ALL_ELIP_ROLES = [Role.ELIP_PERSONS, Role.ELIP_LETTER, Role.ELIP_SIGNALS]
