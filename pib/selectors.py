"""Reads of DUO's registry.

Money is compared exactly on every database. The columns are ``DecimalField``s, but SQLite keeps
them as floating point and its ``SUM`` adds floats: 7.499,70 + 10 × 0,03 sums to 7499.999999999997
there, just below a threshold of 7.500,00. So every sum and every comparison of money is done in
whole cents (``cents``: the amount × 100, rounded, as a 64-bit integer — exact on SQLite and on
PostgreSQL), and the euro figures the screens show are derived from those cents.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round

from .constants import ExamComponent, ExamStatus, InvoiceStatus
from .models import Contract, Enrolment, Exam, Invoice, Person, TermExtension

EURO = DecimalField(max_digits=12, decimal_places=2)
ZERO_CENTS = Value(0, output_field=BigIntegerField())


def cents(amount) -> Cast:
    """An exact integer number of cents for a money column or expression (on SQLite the float
    ``x.yz * 100`` can be ``…99999``, so it is rounded before the cast, never truncated)."""
    expression = F(amount) if isinstance(amount, str) else amount
    return Cast(Round(expression * Value(100)), BigIntegerField())


def euros(cents_expression) -> ExpressionWrapper:
    """Cents back to euros for display (``Decimal`` with 2 places); never compare these."""
    return ExpressionWrapper(cents_expression * Value(Decimal("0.01"), output_field=EURO), output_field=EURO)


def paid_invoices_cents():
    """Correlated subquery: the sum in cents of a person's paid invoices (what DUO paid from the loan)."""
    return Coalesce(
        Subquery(
            Invoice.objects.filter(person_id=OuterRef("pk"), status=InvoiceStatus.PAID)
            .order_by()
            .values("person_id")
            .annotate(total=Sum(cents("total_amount")))
            .values("total")[:1],
            output_field=BigIntegerField(),
        ),
        ZERO_CENTS,
    )


def persons_with_loan_usage(queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Annotate the loan usage in one query, in whole cents for comparing and in euros for showing:
    ``loan_limit_cents``, ``loan_used_cents``, ``loan_remaining_cents`` (integers, exact on every
    database) and ``loan_limit``, ``loan_used``, ``loan_remaining`` (Decimal euros, derived from
    the cents).

    Used = sum of paid (Betaald) invoices; rejected invoices never count.
    A person without a Loan row has limit 0 (nothing to borrow).
    """
    queryset = Person.objects.all() if queryset is None else queryset
    return (
        queryset.annotate(
            loan_limit_cents=Coalesce(cents("loan__limit"), ZERO_CENTS),
            loan_used_cents=paid_invoices_cents(),
        )
        .annotate(loan_remaining_cents=F("loan_limit_cents") - F("loan_used_cents"))
        .annotate(
            loan_limit=euros(F("loan_limit_cents")),
            loan_used=euros(F("loan_used_cents")),
            loan_remaining=euros(F("loan_remaining_cents")),
        )
    )


def person_loan_usage(person: Person) -> tuple[Decimal, Decimal, Decimal]:
    """(limit, used, remaining) of one person in euros, computed exactly from the cents."""
    row = persons_with_loan_usage(Person.objects.filter(pk=person.pk)).values_list(
        "loan_limit_cents", "loan_used_cents", "loan_remaining_cents"
    )[0]
    return tuple(Decimal(int(v)).scaleb(-2) for v in row)


# --- ELIP person screens (Raadplegen ELIP personen, manual chapter 4) ---------------------------
# Both readers take an already-scoped queryset (``elip.selectors.visible_persons``):
# they never widen what the caller may see.


def person_list(persons: QuerySet[Person]) -> QuerySet[Person]:
    """The 'Overzicht ELIP' rows with ``loan_remaining`` (euros, sortable) annotated in the same query
    (no query per row), as one expression: the paid-invoice sum is a correlated subquery, and the six
    annotations of ``persons_with_loan_usage`` repeat it four times per row. PostgreSQL evaluates it for
    every row that the sort and the page's OFFSET pass, not only for the 20 shown: page 100 of
    Amsterdam's list at national scale read 55,000 buffers with four copies (tests/bench/load.py)."""
    remaining = Coalesce(cents("loan__limit"), ZERO_CENTS) - paid_invoices_cents()
    return (
        persons.only("public_id", "bsn", "first_names", "prefix", "last_name", "birth_date", "term_end")
        .annotate(loan_remaining=euros(remaining))
        .order_by("last_name", "first_names", "pk")
    )


def person_detail(persons: QuerySet[Person], public_id) -> Person | None:
    """One person with everything the detail screen shows, in a fixed number of queries
    (whatever the number of exams, attempts, contracts or invoices): the person with loan usage,
    then one query each for exams, attempts, enrolments, contracts, invoices and extensions.
    ``None`` when the person is not in ``persons``."""
    queryset = persons_with_loan_usage(persons.filter(public_id=public_id)).prefetch_related(
        Prefetch("exams", queryset=Exam.objects.prefetch_related("attempts")),
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("institution").order_by("start_date", "pk")),
        Prefetch("contracts", queryset=Contract.objects.select_related("institution").order_by("start_date", "pk")),
        Prefetch(
            "invoices",
            queryset=Invoice.objects.select_related("contract__institution").order_by("invoice_date", "pk"),
        ),
        Prefetch("extensions", queryset=TermExtension.objects.order_by("-new_end", "pk")),
    )
    return queryset.first()


# The manual's exam table (chapter 4) lists the components in ExamComponent's order.
EXAM_ORDER = {component: i for i, component in enumerate(ExamComponent.values)}


@dataclass(frozen=True)
class ExamRow:
    """One exam component of a person, as the person screen and the letter show it."""

    exam: Exam
    attempts: int
    date: dt.date | None  # of the last attempt
    status: ExamStatus

    @property
    def to_do(self) -> bool:
        """Still to pass: failed or not yet tried (the letter lists these)."""
        return self.status in (ExamStatus.FAILED, ExamStatus.TO_DO)


def exam_rows(person: Person) -> list[ExamRow]:
    """The person's exams in the manual's order, each with its number of attempts, the date of the
    last attempt and the derived status. Uses prefetched ``exams`` and ``exams__attempts`` when
    present (``person_detail`` and the letter's snapshot query load them): no query per exam."""
    rows = []
    for exam in sorted(person.exams.all(), key=lambda e: EXAM_ORDER.get(e.component, len(EXAM_ORDER))):
        attempts = list(exam.attempts.all())
        status = ExamStatus(Exam.derive_status(exam.exempted, (a.result for a in attempts)))
        rows.append(ExamRow(exam, len(attempts), max((a.date for a in attempts), default=None), status))
    return rows
