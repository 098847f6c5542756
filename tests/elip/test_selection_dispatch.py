"""Run records for "Beheren ELIP brief": last, next and previous dispatches, total, estimate."""

import datetime as dt
from decimal import Decimal

import pytest

from elip.selectors import dispatch_overview, estimate_for_municipality, next_dispatch_date
from tests.elip.factories import SelectionRunFactory, dispatched, enrol
from tests.pib.factories import PersonFactory, municipality

pytestmark = pytest.mark.django_db

WED = dt.date(2023, 6, 14)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2023, 6, 15), dt.date(2023, 6, 21)),  # Thursday → next Wednesday
        (dt.date(2023, 6, 13), dt.date(2023, 6, 14)),  # Tuesday → tomorrow
        (dt.date(2023, 6, 18), dt.date(2023, 6, 21)),  # Sunday
    ],
)
def test_next_dispatch_is_the_next_wednesday(today, expected):
    assert next_dispatch_date(today) == expected


def test_on_a_wednesday_the_next_dispatch_is_today_until_the_run_happened():
    assert next_dispatch_date(WED) == WED
    SelectionRunFactory(run_date=WED)
    assert next_dispatch_date(WED) == dt.date(2023, 6, 21)


def test_after_a_run_by_hand_earlier_in_the_week_the_next_dispatch_is_next_week():
    SelectionRunFactory(run_date=dt.date(2023, 6, 12))  # Monday, same ISO week as WED
    assert next_dispatch_date(dt.date(2023, 6, 13)) == dt.date(2023, 6, 21)
    assert next_dispatch_date(dt.date(2023, 6, 8)) == dt.date(2023, 6, 21)  # that week already had its run


def test_dispatch_overview_as_in_the_manual():
    gm = municipality("GM0014")
    dispatched(dt.date(2023, 2, 1), "GM0014", 40)  # older than 3 months
    dispatched(dt.date(2023, 5, 31), "GM0014", 50)
    dispatched(dt.date(2023, 6, 7), "GM0014", 0)
    dispatched(WED, "GM0014", 7)
    dispatched(WED, "GM0363", 99)  # another municipality
    overview = dispatch_overview(gm, today=WED)
    assert overview == {
        "last_dispatch_date": WED,
        "next_dispatch_date": dt.date(2023, 6, 21),
        "previous_dispatches": [
            {"date": WED, "count": 7},
            {"date": dt.date(2023, 6, 7), "count": 0},
            {"date": dt.date(2023, 5, 31), "count": 50},
        ],
        "total_sent": 97,
    }


def test_dispatch_overview_without_runs():
    overview = dispatch_overview(municipality("GM0014"), today=dt.date(2023, 6, 15))
    assert overview == {
        "last_dispatch_date": None,
        "next_dispatch_date": dt.date(2023, 6, 21),
        "previous_dispatches": [],
        "total_sent": 0,
    }


def test_estimate_counts_candidates_living_there_without_a_letter_enrolled_or_not():
    enrol("GM0014", withdrawn=True)
    for _ in range(2):
        PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2024, 1, 1), municipality=municipality("GM0014"))
    PersonFactory(loan_used=Decimal("100"), municipality=municipality("GM0014"))
    PersonFactory(loan_used=Decimal("9900"), municipality=municipality("GM0363"))
    assert estimate_for_municipality(municipality("GM0014"), WED) == 2
    assert estimate_for_municipality(municipality("GM0344"), WED) == 0
