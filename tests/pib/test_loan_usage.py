from decimal import Decimal

import pytest

from pib.constants import AttemptResult, ExamComponent, ExamStatus, InvoiceStatus
from pib.models import Exam, Person
from pib.selectors import person_loan_usage, persons_with_loan_usage
from tests.pib.factories import PersonFactory, add_exam, pay

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]  # also on SQLite (make test)


def test_only_paid_invoices_count_as_loan_used():
    person = PersonFactory(loan_used=Decimal("2000"))
    pay(person, Decimal("1500.50"))
    pay(person, Decimal("999.99"), status=InvoiceStatus.REJECTED)
    assert person_loan_usage(person) == (Decimal("10000.00"), Decimal("3500.50"), Decimal("6499.50"))


def test_person_without_invoices_has_used_nothing_and_own_limit_remaining():
    person = PersonFactory(loan_used__limit=Decimal("8000"))
    assert person_loan_usage(person) == (Decimal("8000.00"), Decimal("0.00"), Decimal("8000.00"))


def test_person_with_only_rejected_invoices_has_used_nothing():
    person = PersonFactory()
    pay(person, Decimal("500"), status=InvoiceStatus.REJECTED)
    assert person_loan_usage(person)[1] == Decimal("0.00")


def test_loan_usage_is_one_query_for_many_persons(django_assert_num_queries):
    for amount in ("0", "7500", "9500", "10000"):
        person = PersonFactory(loan_used=Decimal(amount))
        pay(person, Decimal("10"), status=InvoiceStatus.REJECTED)
    with django_assert_num_queries(1):
        rows = list(persons_with_loan_usage().order_by("pk").values_list("loan_used", "loan_remaining"))
    assert [(Decimal(u), Decimal(r)) for u, r in rows] == [
        (Decimal("0"), Decimal("10000")),
        (Decimal("7500"), Decimal("2500")),
        (Decimal("9500"), Decimal("500")),
        (Decimal("10000"), Decimal("0")),
    ]


def test_loan_used_can_filter_a_queryset():
    PersonFactory(loan_used=Decimal("7499.99"))
    at_threshold = PersonFactory(loan_used=Decimal("7500"))
    qs = persons_with_loan_usage(Person.objects.all()).filter(loan_used__gte=Decimal("7500"))
    assert list(qs) == [at_threshold]


@pytest.mark.parametrize(
    "results,exempted,expected",
    [
        ((), False, ExamStatus.TO_DO),
        ((AttemptResult.FAILED,) * 4, False, ExamStatus.FAILED),
        ((AttemptResult.FAILED, AttemptResult.PASSED), False, ExamStatus.PASSED),
        ((), True, ExamStatus.EXEMPTED),
    ],
)
def test_exam_status_is_derived_from_attempts_or_exemption(results, exempted, expected):
    exam = add_exam(PersonFactory(), ExamComponent.READING, results=results, exempted=exempted)
    assert Exam.objects.prefetch_related("attempts").get(pk=exam.pk).status == expected
