"""Query counts of the person screens do not grow with the number of persons, exams,
attempts, contracts or invoices (selectors prefetch; the list annotates the loan)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elip.selectors import visible_persons
from pib.constants import Role
from pib.selectors import person_detail, person_list
from tests.elip.persons_data import GRONINGEN, full_history
from tests.pib.factories import PersonFactory, UserFactory, municipality, pay

pytestmark = pytest.mark.django_db

# Session, user, the OTP device (second factor), authorisations (middleware), the screen's reads, one
# read-log INSERT, and the session write that moves the idle deadline (savepoint, UPDATE, release).
# The detail screen also asks for the person's own rendered letter (one query).
SIGN_IN_QUERIES = 4  # the OTP device and the session write (accounts/middleware.py)
LIST_MAX_QUERIES = 6 + SIGN_IN_QUERIES
DETAIL_MAX_QUERIES = 12 + SIGN_IN_QUERIES


@pytest.fixture
def client_a(client):
    client.force_login(UserFactory(username="anna", roles={GRONINGEN: [Role.ELIP_PERSONS]}))
    client.get(reverse("elip:persons_search"))  # the first request stores the chosen municipality
    return client


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_persons(client_a, django_assert_max_num_queries):
    url = reverse("elip:persons_list")
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    few = count_queries(client_a, url)
    for i in range(30):
        person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), last_name=f"Veel{i:02d}")
        pay(person, Decimal("100"))
    many = count_queries(client_a, url)
    assert many == few
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        client_a.get(url, {"sorteer": "-lening", "pagina": 2})


def test_detail_queries_do_not_grow_with_exams_and_invoices(client_a, django_assert_max_num_queries):
    small = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    full_history(small, exams=1, invoices=1)
    big = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    full_history(big, exams=6, invoices=12)
    for _ in range(5):
        pay(big, Decimal("10"))
    few = count_queries(client_a, reverse("elip:person_detail", kwargs={"public_id": small.public_id}))
    many = count_queries(client_a, reverse("elip:person_detail", kwargs={"public_id": big.public_id}))
    assert many == few
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        client_a.get(reverse("elip:person_detail", kwargs={"public_id": big.public_id}))


@pytest.mark.parametrize("screen", ["exam", "contract", "invoice"])
def test_sub_screen_queries_are_bounded(client_a, django_assert_max_num_queries, screen):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    data = full_history(person, exams=6, invoices=10)
    kwargs = {"public_id": person.public_id}
    url = {
        "exam": reverse("elip:person_exam", kwargs={**kwargs, "component": "Lezen"}),
        "contract": reverse("elip:person_contract", kwargs={**kwargs, "pk": data["contract"].pk}),
        "invoice": reverse("elip:person_invoice", kwargs={**kwargs, "pk": data["invoices"][-1].pk}),
    }[screen]
    with django_assert_max_num_queries(7 + SIGN_IN_QUERIES):
        assert client_a.get(url).status_code == 200


def test_person_detail_selector_uses_seven_queries_for_everything(persons_user, django_assert_num_queries):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    full_history(person, exams=6, invoices=8)
    groningen = municipality(GRONINGEN)
    with django_assert_num_queries(7):
        loaded = person_detail(visible_persons(persons_user, groningen), person.public_id)
        for exam in loaded.exams.all():
            exam.status  # noqa: B018 - uses the prefetched attempts
            list(exam.attempts.all())
        for invoice in loaded.invoices.all():
            invoice.contract.institution.name  # noqa: B018
        for item in (*loaded.enrolments.all(), *loaded.contracts.all()):
            item.institution.name  # noqa: B018
        list(loaded.extensions.all())
        assert loaded.loan_remaining is not None


def test_person_list_selector_is_one_query_with_loan(persons_user, django_assert_num_queries):
    for _ in range(5):
        PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    groningen = municipality(GRONINGEN)
    with django_assert_num_queries(1):
        rows = list(person_list(visible_persons(persons_user, groningen)))
        assert all(row.loan_remaining == Decimal("1280.00") for row in rows)


def test_person_list_sums_the_paid_invoices_once_per_row(persons_user):
    """The loan's correlated subquery stands once in the list query: PostgreSQL evaluates it for every
    row the sort and the page's OFFSET pass, so each copy costs a deep page thousands of index
    probes (four copies read 55,000 buffers on page 100 at national scale, tests/bench/load.py)."""
    PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("1000"))
    listed = person_list(visible_persons(persons_user, municipality(GRONINGEN)))
    with CaptureQueriesContext(connection) as ctx:
        rows = list(listed)
    assert [row.loan_remaining for row in rows] == [Decimal("9000.00")]
    (query,) = ctx.captured_queries
    assert query["sql"].count('FROM "pib_invoice"') == 1, query["sql"]


def test_visible_persons_checks_the_letter_with_exists_not_a_join(persons_user):
    """'Has a letter' is an EXISTS on letters_letter(person_id), answered from that index; a join reads
    every candidate's wide letter row (its snapshot): Amsterdam's count at national scale read 7,900
    buffers that way, 215 with EXISTS and the person index of pib.0014 (docs/operations.md "Load")."""
    PersonFactory(elip=True, code=GRONINGEN)
    PersonFactory(code=GRONINGEN)  # no letter: not visible
    listed = visible_persons(persons_user, municipality(GRONINGEN))
    with CaptureQueriesContext(connection) as ctx:
        assert listed.count() == 1
    (query,) = ctx.captured_queries
    assert "EXISTS" in query["sql"] and 'JOIN "letters_letter"' not in query["sql"], query["sql"]


def test_person_detail_selector_respects_the_scope(persons_user):
    person = PersonFactory(elip=True, code="GM0363", loan_used=Decimal("8720"))
    assert person_detail(visible_persons(persons_user, municipality(GRONINGEN)), person.public_id) is None
    # The user's own municipality, but no role "Raadplegen ELIP personen" for it: nothing.
    own = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    other_user = UserFactory(username="bob", roles={GRONINGEN: [Role.ELIP_SIGNALS]})
    assert person_detail(visible_persons(other_user, municipality(GRONINGEN)), own.public_id) is None
    assert person_detail(visible_persons(persons_user, municipality(GRONINGEN)), own.public_id) is not None
