import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pib.constants import InvoiceStatus
from pib.models import Contract, Invoice, Loan, TermExtension
from tests.pib.factories import InstitutionFactory, PersonFactory, pay

pytestmark = pytest.mark.django_db


def rejects(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_bsn_is_unique():
    person = PersonFactory()
    rejects(lambda: PersonFactory(bsn=person.bsn))


def test_term_end_before_start_is_rejected():
    rejects(lambda: PersonFactory(term_start=dt.date(2024, 1, 1), term_end=dt.date(2023, 12, 31)))


def test_extension_must_move_the_end_date_forward():
    person = PersonFactory()
    rejects(
        lambda: TermExtension.objects.create(
            person=person, kind="X", previous_end=person.term_end, new_end=person.term_end, granted_on=person.term_end
        )
    )


def test_negative_loan_limit_and_reversed_loan_dates_are_rejected():
    person = PersonFactory()  # creates a Loan; make a second person without one
    other = PersonFactory.build(municipality=person.municipality)
    other.save()
    rejects(lambda: Loan.objects.create(person=other, limit=Decimal("-1"), start_date=dt.date(2022, 1, 1),
                                        end_date=dt.date(2023, 1, 1)))  # fmt: skip
    rejects(lambda: Loan.objects.create(person=other, start_date=dt.date(2023, 1, 1), end_date=dt.date(2022, 1, 1)))


def test_negative_contract_rate_is_rejected():
    person = PersonFactory()
    rejects(
        lambda: Contract.objects.create(
            person=person, number="X1", course="inburgering", institution=InstitutionFactory(),
            start_date=dt.date(2022, 1, 1), end_date=dt.date(2022, 6, 1), hours=10, hourly_rate=Decimal("-20"),
        )
    )  # fmt: skip


def test_negative_invoice_amounts_and_reversed_periods_are_rejected():
    person = PersonFactory(loan_used=Decimal("100"))
    invoice = Invoice.objects.get(person=person)
    for field, value in [("course_amount", Decimal("-0.01")), ("exam_amount", Decimal("-5")),
                         ("period_end", invoice.period_start - dt.timedelta(days=1))]:  # fmt: skip
        rejects(lambda f=field, v=value: Invoice.objects.filter(pk=invoice.pk).update(**{f: v}))


def test_invoice_number_is_unique():
    person = PersonFactory(loan_used=Decimal("100"))
    invoice = Invoice.objects.get(person=person)
    rejects(lambda: Invoice.objects.filter(pk=pay(person, Decimal("5")).pk).update(number=invoice.number))


def test_contract_and_invoice_totals_are_computed_by_the_database():
    person = PersonFactory()
    invoice = pay(person, Decimal("1234.56"), status=InvoiceStatus.REJECTED)
    invoice.refresh_from_db()
    assert invoice.total_amount == Decimal("1234.56")
    contract = Contract.objects.get(pk=invoice.contract_id)
    assert contract.total_amount == Decimal("1234.56")


def test_deleting_a_contract_with_invoices_is_refused_but_deleting_the_person_removes_both():
    from django.db.models import RestrictedError

    person = PersonFactory(loan_used=Decimal("10"))
    with pytest.raises(RestrictedError):
        Contract.objects.get(person=person).delete()
    person.delete()
    assert not Invoice.objects.filter(person_id=person.pk).exists()
