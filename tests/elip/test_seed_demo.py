import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from pib.models import Contract, Enrolment, Exam, ExamAttempt, Invoice, Loan, LoanRequest, Person, TermExtension
from pib.route_facts import refresh_route_facts
from pib.selectors import persons_with_loan_usage
from pib.validators import is_valid_bsn

pytestmark = pytest.mark.django_db
MODELS = [Person, TermExtension, Loan, LoanRequest, Exam, ExamAttempt, Enrolment, Contract, Invoice]


def digest() -> str:
    h = hashlib.sha256()
    for model in MODELS:
        for row in model.objects.order_by("pk").values_list():
            h.update(repr(row).encode())
    return h.hexdigest()


def wipe():
    Invoice.objects.all().delete()
    Person.objects.all().delete()


def seed(seed_value):
    call_command("seed_demo", persons=150, seed=seed_value, today="2026-11-26", no_accounts=True, stdout=None)


def test_same_seed_gives_identical_population():
    seed(7)
    first = digest()
    wipe()
    seed(7)
    assert digest() == first


def test_other_seed_gives_other_population():
    seed(7)
    first = digest()
    wipe()
    seed(8)
    assert digest() != first


def test_population_is_valid_and_realistic():
    call_command("seed_demo", persons=1000, seed=1, today="2026-11-26", no_accounts=True)
    assert Person.objects.count() == 1000
    assert all(is_valid_bsn(b) for b in Person.objects.values_list("bsn", flat=True))
    rows = list(persons_with_loan_usage().values_list("loan_used", "loan_limit", "term_end"))
    shares = [Decimal(u) / Decimal(lim) for u, lim, _ in rows]
    over_75 = sum(s >= Decimal("0.75") for s in shares) / len(shares)
    over_95 = sum(s >= Decimal("0.95") for s in shares) / len(shares)
    assert 0.25 < over_75 < 0.55 and 0.08 < over_95 < 0.25
    ends = [end for *_, end in rows]
    assert min(ends) < dt.date(2024, 11, 26) and max(ends) > dt.date(2027, 11, 26)
    assert Person.objects.values("municipality").distinct().count() > 100
    assert Person.objects.values("last_name").distinct().count() > 40
    assert ExamAttempt.objects.values("exam").distinct().count() < Exam.objects.count()  # some have 0 attempts
    # COPY sends no signals: the seed stored the route facts of what it wrote
    assert refresh_route_facts() == 0
    assert Person.objects.filter(route_open_components__lt=6, route_min_attempts__gt=0).exists()
    assert Invoice.objects.filter(status="afgewezen").exclude(rejection_reason="").exists()
    assert TermExtension.objects.exists()


def test_demo_accounts_are_created_with_roles(django_user_model):
    call_command("seed_demo", persons=10, seed=1, today="2026-11-26")
    regio = django_user_model.objects.get(username="regio")
    assert regio.authorisations.values("municipality").distinct().count() == 4
    duo = django_user_model.objects.get(username="duo-beheer")
    assert duo.is_staff and not duo.is_superuser  # least privilege: superuser is for operators only
    assert list(duo.groups.values_list("name", flat=True)) == ["DUO functioneel beheer"]
    assert not django_user_model.objects.get(username="geenrol").authorisations.exists()


def test_bad_arguments_give_a_dutch_error():
    with pytest.raises(CommandError, match="Ongeldige datum"):
        call_command("seed_demo", persons=1, today="26-11-2026")
    with pytest.raises(CommandError, match="--persons"):
        call_command("seed_demo", persons=-1)


def test_population_is_believable_for_a_civil_servant():
    """Issue 13: nobody obliged before 18; postcodes of the municipality's own ranges (province
    ranges elsewhere); in Groningen persons of unknown gender, long names, all six exam components
    with attempts and six courses."""
    from elip.demo.population import postcode_ranges
    from pib.constants import ExamComponent, Gender

    call_command("seed_demo", persons=1000, seed=3, today="2026-11-26", no_accounts=True)
    persons = list(Person.objects.select_related("municipality"))
    for person in persons:
        at_start = person.term_start.year - person.birth_date.year
        at_start -= (person.term_start.month, person.term_start.day) < (person.birth_date.month, person.birth_date.day)
        assert at_start >= 18, f"obliged at {at_start}"
    by_code, by_province = postcode_ranges()
    assert len(by_code) >= 40
    checked = 0
    for person in persons:
        ranges = by_code.get(person.municipality.code) or by_province[person.municipality.province]
        pc4 = int(person.postcode[:4])
        assert any(low <= pc4 <= high for low, high in ranges), (person.municipality.name, person.postcode)
        checked += person.municipality.code in by_code
    assert checked > 400  # most persons live in the large municipalities
    groningen = Person.objects.filter(municipality__code="GM0014")
    assert groningen.filter(gender=Gender.UNKNOWN).count() >= 2
    assert any(len(p.full_name) > 60 for p in groningen)
    assert groningen.filter(enrolments__isnull=False).annotate(n=Count("enrolments")).filter(n=6).exists()
    complete = (
        Exam.objects.filter(person__municipality__code="GM0014", attempts__isnull=False)
        .values("person")
        .annotate(n=Count("component", distinct=True))
        .filter(n=len(ExamComponent.values))
    )
    assert complete.count() >= 6
