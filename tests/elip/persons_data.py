"""Test data for the ELIP person screens: a full registry history for a person.

An ELIP person (visible to the municipality through the ELIP letter) is
``PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))``.
"""

import datetime as dt
from decimal import Decimal

from pib.constants import AttemptResult, Course, ExamComponent, InvoiceStatus
from pib.models import Contract, Enrolment, Invoice
from tests.pib.factories import InstitutionFactory, add_exam, add_extension

GRONINGEN = "GM0014"
AMSTERDAM = "GM0363"
LETTER_DATE = dt.date(2025, 3, 5)


def full_history(person, *, exams=5, invoices=1):
    """Exams with attempts, enrolments, contracts, invoices (one rejected) and extensions,
    like the manual's Wilmer Gonzalez. Returns a dict of the created objects."""
    institution = InstitutionFactory(name="Yuverta MBO Den Bosch")
    other = InstitutionFactory(name="Alfa college Groningen")
    components = list(ExamComponent.values)[:exams]
    created_exams = []
    for i, component in enumerate(components):
        results = [AttemptResult.FAILED] * 3 + ([AttemptResult.PASSED] if i == 0 else [AttemptResult.FAILED])
        if component == ExamComponent.SPEAKING:
            results = []
        created_exams.append(add_exam(person, component, results=results, first_date=dt.date(2013, 1, 17)))
    Enrolment.objects.create(
        person=person,
        course=Course.INTEGRATION,
        institution=institution,
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2021, 6, 30),
    )
    contract = Contract.objects.create(
        person=person,
        number=f"4285A{person.pk}",
        course=Course.INTEGRATION,
        institution=institution,
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2021, 6, 30),
        hours=100,
        hourly_rate=Decimal("20"),
        materials_amount=Decimal("200"),
    )
    created_invoices = []
    for n in range(invoices):
        created_invoices.append(
            Invoice.objects.create(
                person=person,
                contract=contract,
                number=f"F_2021_{person.pk}_{n}",
                description="Factuur yuverta inburgering",
                invoice_date=dt.date(2021, 1, 2),
                status=InvoiceStatus.PAID if n == 0 else InvoiceStatus.REJECTED,
                period_start=dt.date(2021, 1, 1),
                period_end=dt.date(2021, 6, 30),
                course_count=100,
                course_amount=Decimal("2000"),
                materials_amount=Decimal("200"),
                exam_amount=Decimal("200"),
                rejection_reason="" if n == 0 else "Geen geldig contract",
            )
        )
    add_extension(person, new_end=person.term_end + dt.timedelta(days=90), kind="Te late kennisgeving")
    return {
        "institution": institution,
        "other_institution": other,
        "exams": created_exams,
        "contract": contract,
        "invoices": created_invoices,
    }
