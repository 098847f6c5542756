"""ELIP selection: every boundary of DOMAIN.md "ELIP criteria" and the dated policy versions.

Marked ``both_databases``: ``make test`` runs this module on PostgreSQL and again on SQLite (the
embedded default, where a SUM of decimals is a float), so every boundary holds on both.
"""

import datetime as dt
from decimal import Decimal

import pytest

from elip.constants import MatchedRule, PolicyStatus
from elip.models import PolicyVersion
from elip.selectors import NoPolicyInForce, active_policy, elip_candidates, estimate_for_municipality
from pib.constants import InvoiceStatus, Law, ObligationStatus
from pib.dates import add_months
from pib.models import Contract, Invoice, Loan
from pib.selectors import person_loan_usage
from tests.pib.factories import InstitutionFactory, PersonFactory, municipality, pay

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

D = dt.date(2023, 6, 14)  # a Wednesday under the 2021 policy: 12 months + 75%, or 95%
FAR = dt.date(2030, 1, 1)


def selected(on_date=D):
    return dict(elip_candidates(on_date).values_list("pk", "matched_rule"))


def person(used, term_end=FAR, **kwargs):
    return PersonFactory(loan_used=Decimal(used), term_end=term_end, **kwargs)


# --- calendar months --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2023, 6, 14), 12, dt.date(2024, 6, 14)),
        (dt.date(2021, 1, 31), 1, dt.date(2021, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2021, 8, 31), 6, dt.date(2022, 2, 28)),
        (dt.date(2023, 12, 15), 1, dt.date(2024, 1, 15)),
        (dt.date(2023, 5, 31), -3, dt.date(2023, 2, 28)),
    ],
)
def test_add_months_steps_calendar_months_and_clamps_the_day(day, months, expected):
    assert add_months(day, months) == expected


# --- policy versions --------------------------------------------------------------------------


def test_the_two_real_policy_versions_are_loaded():
    new = PolicyVersion.objects.get(valid_from=dt.date(2021, 6, 1))
    assert (new.months_before_term_end, new.term_rule_percentage, new.loan_rule_percentage) == (
        12,
        Decimal("75.00"),
        Decimal("95.00"),
    )
    old = active_policy(dt.date(2021, 5, 31))
    assert (old.months_before_term_end, old.term_rule_percentage, old.loan_rule_percentage) == (
        6,
        Decimal("75.00"),
        None,
    )


def test_active_policy_switches_on_2021_06_01():
    assert active_policy(dt.date(2021, 5, 31)).valid_from < dt.date(2021, 6, 1)
    assert active_policy(dt.date(2021, 6, 1)).valid_from == dt.date(2021, 6, 1)
    assert active_policy(dt.date(2025, 1, 1)).valid_from == dt.date(2021, 6, 1)


def test_a_version_added_by_an_admin_applies_from_its_date():
    PolicyVersion.objects.create(
        status=PolicyStatus.APPROVED,
        valid_from=dt.date(2026, 1, 1),
        months_before_term_end=0,
        term_rule_percentage=Decimal("90.00"),
        loan_rule_percentage=Decimal("90.00"),
    )
    p = person("9000")
    assert p.pk not in selected(dt.date(2025, 12, 31))
    assert selected(dt.date(2026, 1, 1))[p.pk] == MatchedRule.LOAN_ONLY


def test_no_policy_in_force_is_a_clear_error():
    with pytest.raises(NoPolicyInForce, match="Geen ELIP-criteria"):
        active_policy(dt.date(1999, 12, 31))


def test_person_8_months_before_term_end_with_80_percent_is_selected_from_2021_06_01_only():
    p = person("8000", term_end=dt.date(2022, 2, 1))  # 8 months after 2021-06-01
    assert p.pk not in selected(dt.date(2021, 5, 31))  # old policy: 6 months
    assert selected(dt.date(2021, 6, 1))[p.pk] == MatchedRule.TERM_AND_LOAN


def test_person_with_96_percent_and_a_far_term_is_selected_from_2021_06_01_only():
    p = person("9600", term_end=dt.date(2025, 1, 1))
    assert p.pk not in selected(dt.date(2021, 5, 31))  # old policy has no 95% rule
    assert selected(dt.date(2021, 6, 1))[p.pk] == MatchedRule.LOAN_ONLY


def test_old_policy_term_end_exactly_6_months_counts_one_day_later_not():
    on = dt.date(2021, 3, 1)
    at = person("7500", term_end=dt.date(2021, 9, 1))
    later = person("7500", term_end=dt.date(2021, 9, 2))
    result = selected(on)
    assert result[at.pk] == MatchedRule.TERM_AND_LOAN
    assert later.pk not in result


# --- loan percentage --------------------------------------------------------------------------


def test_person_at_exactly_75_percent_and_12_months_is_selected():
    p = person("7500.00", term_end=dt.date(2024, 6, 14))
    assert selected()[p.pk] == MatchedRule.TERM_AND_LOAN


def test_person_at_74_99_percent_is_not_selected():
    p = person("7499.00", term_end=dt.date(2024, 1, 1))
    almost = person("7499.99", term_end=dt.date(2024, 1, 1))
    result = selected()
    assert p.pk not in result
    assert almost.pk not in result


def test_person_at_exactly_95_percent_is_selected_whatever_the_term():
    p = person("9500.00", term_end=FAR)
    below = person("9499.99", term_end=FAR)
    result = selected()
    assert result[p.pk] == MatchedRule.LOAN_ONLY
    assert below.pk not in result


def test_both_rules_holding_report_the_term_rule():
    p = person("10000", term_end=dt.date(2024, 1, 1))
    assert selected()[p.pk] == MatchedRule.TERM_AND_LOAN


def test_the_persons_own_loan_limit_is_the_100_percent():
    small = PersonFactory(loan_used=Decimal("6000"), loan_used__limit=Decimal("8000"), term_end=dt.date(2024, 1, 1))
    large = PersonFactory(loan_used=Decimal("9600"), loan_used__limit=Decimal("20000"), term_end=dt.date(2024, 1, 1))
    result = selected()
    assert result[small.pk] == MatchedRule.TERM_AND_LOAN  # 75% of 8,000
    assert large.pk not in result  # 48% of 20,000, although above 9,500


def test_odd_limit_compares_exactly_in_decimals():
    # 75% of 3,333.33 is 2,499.9975: 2,499.99 is just below, 2,500.00 just above.
    below = PersonFactory(
        loan_used=Decimal("2499.99"), loan_used__limit=Decimal("3333.33"), term_end=dt.date(2024, 1, 1)
    )
    above = PersonFactory(
        loan_used=Decimal("2500.00"), loan_used__limit=Decimal("3333.33"), term_end=dt.date(2024, 1, 1)
    )
    result = selected()
    assert below.pk not in result
    assert above.pk in result


def test_person_without_a_loan_is_never_selected():
    p = person("0", term_end=dt.date(2024, 1, 1))
    pay(p, Decimal("9800"))
    Loan.objects.filter(person=p).delete()
    assert p.pk not in selected()


def test_person_with_a_zero_limit_is_never_selected():
    p = PersonFactory(loan_used=None, loan_used__limit=Decimal("0"), term_end=dt.date(2024, 1, 1))
    assert p.pk not in selected()


def test_rejected_invoices_do_not_count_as_used():
    p = person("7000", term_end=dt.date(2024, 1, 1))
    pay(p, Decimal("2000"), status=InvoiceStatus.REJECTED)
    assert p.pk not in selected()
    pay(p, Decimal("500"))
    assert p.pk in selected()


def test_several_paid_invoices_add_up():
    p = person("5000", term_end=dt.date(2024, 1, 1))
    pay(p, Decimal("2500"))
    assert p.pk in selected()


# --- term ---------------------------------------------------------------------------------------


def test_term_end_exactly_12_months_after_the_date_counts_one_day_later_not():
    at = person("8000", term_end=dt.date(2024, 6, 14))
    later = person("8000", term_end=dt.date(2024, 6, 15))
    result = selected()
    assert at.pk in result
    assert later.pk not in result


def test_month_end_date_uses_the_clamped_horizon():
    on = dt.date(2023, 2, 28)
    at = person("8000", term_end=dt.date(2024, 2, 28))
    later = person("8000", term_end=dt.date(2024, 2, 29))
    result = selected(on)
    assert at.pk in result
    assert later.pk not in result


def test_overdue_but_still_obliged_counts():
    p = person("7600", term_end=dt.date(2022, 1, 1))
    assert selected()[p.pk] == MatchedRule.TERM_AND_LOAN


@pytest.mark.parametrize(
    "status", [ObligationStatus.MET, ObligationStatus.EXEMPTED, ObligationStatus.RELEASED, ObligationStatus.ENDED]
)
def test_met_exempted_or_ended_obligations_never_count(status):
    p = person("10000", term_end=dt.date(2024, 1, 1), obligation_status=status)
    assert p.pk not in selected()


@pytest.mark.parametrize("law", [Law.WI2007, Law.WI2021])
def test_only_wi2013_counts(law):
    p = person("10000", term_end=dt.date(2024, 1, 1), law=law)
    assert p.pk not in selected()


def test_selection_is_one_query(django_assert_num_queries):
    for used in ("7500", "9600", "100"):
        person(used, term_end=dt.date(2024, 1, 1))
    policy = active_policy(D)
    with django_assert_num_queries(1):
        rows = list(elip_candidates(D, policy).values_list("pk", "matched_rule", "loan_used", "loan_limit"))
    assert len(rows) == 2


# --- many invoices: sums land exactly on the boundary, on every database -------------------------


def paid_in_parts(parts: list[str], term_end=FAR):
    """A person (limit 10,000.00) with one paid invoice per amount in ``parts``, in that order."""
    p = PersonFactory(term_end=term_end)
    contract = Contract.objects.create(
        person=p,
        number=f"C{p.pk}",
        course="inburgering",
        institution=InstitutionFactory(),
        start_date=p.term_start,
        end_date=p.term_end,
        hours=1,
        hourly_rate=Decimal("10000"),
    )
    Invoice.objects.bulk_create(
        Invoice(
            person=p,
            contract=contract,
            number=f"F{p.pk}-{i}",
            description="Factuur inburgering",
            invoice_date=p.term_start,
            status=InvoiceStatus.PAID,
            period_start=p.term_start,
            period_end=p.term_end,
            course_count=1,
            course_amount=Decimal(amount),
        )
        for i, amount in enumerate(parts)
    )
    return p


# Each list adds up to exactly 7,500.00 (75%) or 9,500.00 (95%) in cents. Added as floats, in
# this order, as SQLite's SUM does, most land just below: "7499.70 + 10 × 0.03" gives
# 7499.999999999997, "7430.00 + 1000 × 0.07" 7499.999999999709, "625 × 15.20" 9499.999999999995,
# "9499.50 + 10 × 0.05" 9499.999999999993 (the 0.01 ones land just above).
AT_75 = {
    "3 x 2500.00": ["2500.00"] * 3,
    "750 x 10.00": ["10.00"] * 750,
    "7499.70 + 10 x 0.03": ["7499.70"] + ["0.03"] * 10,
    "7430.00 + 1000 x 0.07": ["7430.00"] + ["0.07"] * 1000,
    "7496.00 + 400 x 0.01": ["7496.00"] + ["0.01"] * 400,
}
AT_95 = {
    "625 x 15.20": ["15.20"] * 625,
    "9499.50 + 10 x 0.05": ["9499.50"] + ["0.05"] * 10,
    "9430.00 + 1000 x 0.07": ["9430.00"] + ["0.07"] * 1000,
    "9499.90 + 10 x 0.01": ["9499.90"] + ["0.01"] * 10,
}


@pytest.mark.parametrize("parts", AT_75.values(), ids=AT_75.keys())
def test_many_invoices_adding_up_to_exactly_75_percent_are_selected_one_cent_less_not(parts):
    assert sum(Decimal(a) for a in parts) == Decimal("7500.00")
    at = paid_in_parts(parts, term_end=dt.date(2024, 1, 1))
    below = paid_in_parts([*parts[:-1], str(Decimal(parts[-1]) - Decimal("0.01"))], term_end=dt.date(2024, 1, 1))
    result = selected()
    assert result.get(at.pk) == MatchedRule.TERM_AND_LOAN
    assert below.pk not in result
    # the estimate and the person screen agree with the run
    assert estimate_for_municipality(municipality("GM0363"), on_date=D) == 1
    assert person_loan_usage(at) == (Decimal("10000.00"), Decimal("7500.00"), Decimal("2500.00"))
    assert person_loan_usage(below) == (Decimal("10000.00"), Decimal("7499.99"), Decimal("2500.01"))


@pytest.mark.parametrize("parts", AT_95.values(), ids=AT_95.keys())
def test_many_invoices_adding_up_to_exactly_95_percent_are_selected_whatever_the_term_one_cent_less_not(parts):
    assert sum(Decimal(a) for a in parts) == Decimal("9500.00")
    at = paid_in_parts(parts)
    below = paid_in_parts([*parts[:-1], str(Decimal(parts[-1]) - Decimal("0.01"))])
    result = selected()
    assert result.get(at.pk) == MatchedRule.LOAN_ONLY
    assert below.pk not in result
    assert estimate_for_municipality(municipality("GM0363"), on_date=D) == 1
    assert person_loan_usage(at) == (Decimal("10000.00"), Decimal("9500.00"), Decimal("500.00"))
