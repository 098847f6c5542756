"""Reads of DUO's registry."""

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .constants import InvoiceStatus
from .models import Invoice, Person

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def paid_invoices_total():
    """Correlated subquery: the sum of a person's paid invoices (what DUO paid from the loan)."""
    return Coalesce(
        Subquery(
            Invoice.objects.filter(person_id=OuterRef("pk"), status=InvoiceStatus.PAID)
            .order_by()
            .values("person_id")
            .annotate(total=Sum("total_amount"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        ZERO,
    )


def persons_with_loan_usage(queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Annotate ``loan_limit``, ``loan_used`` and ``loan_remaining`` in one query.

    Used = sum of paid (Betaald) invoices; rejected invoices never count.
    A person without a Loan row has limit 0 (nothing to borrow).
    """
    queryset = Person.objects.all() if queryset is None else queryset
    return queryset.annotate(
        loan_limit=Coalesce(F("loan__limit"), ZERO),
        loan_used=paid_invoices_total(),
    ).annotate(loan_remaining=F("loan_limit") - F("loan_used"))


def person_loan_usage(person: Person) -> tuple[Decimal, Decimal, Decimal]:
    """(limit, used, remaining) of one person, through the same annotation."""
    row = persons_with_loan_usage(Person.objects.filter(pk=person.pk)).values_list(
        "loan_limit", "loan_used", "loan_remaining"
    )[0]
    return tuple(Decimal(v).quantize(Decimal("0.01")) for v in row)


# --- ELIP person screens (Raadplegen ELIP personen, manual chapter 4) ---------------------------
# Both readers take an already-scoped queryset (``pib.scoping.visible_persons(municipality)``):
# they never widen what the caller may see.


def person_list(persons: QuerySet[Person]) -> QuerySet[Person]:
    """The 'Overzicht ELIP' rows: loan usage annotated in the same query (no query per row)."""
    return persons_with_loan_usage(
        persons.only("public_id", "bsn", "first_names", "prefix", "last_name", "birth_date", "term_end")
    ).order_by("last_name", "first_names", "pk")


def person_detail(persons: QuerySet[Person], public_id) -> Person | None:
    """One person with everything the detail screen shows, in a fixed number of queries
    (whatever the number of exams, attempts, contracts or invoices): the person with loan usage,
    then one query each for exams, attempts, enrolments, contracts, invoices and extensions.
    ``None`` when the person is not in ``persons``."""
    from django.db.models import Prefetch

    from .models import Contract, Enrolment, Exam, TermExtension

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
