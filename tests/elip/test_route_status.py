"""The Werkvoorraad's route status in SQL (``elip.routes.with_route_status``) gives the same answer as
the Routewijzer in Python (``routes(person, today).status``) — on the boundaries of DOMAIN.md
(600/599 hours, 4/3 attempts, passed and exempted components, missing exam rows) and on the weeks
left to the term end (whole weeks; the pace of ``HOURS_PER_WEEK`` and ``WEEKS_PER_ATTEMPT``)."""

import datetime as dt
import random

import pytest

from elip.routes import RouteStatus, routes, with_route_status, with_routes
from pib.constants import AttemptResult, ExamComponent
from pib.models import Person
from tests.pib.factories import PersonFactory, add_exam

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]  # the SQL is also SQLite's (embedded demo)

TODAY = dt.date(2024, 1, 3)
ALL = list(ExamComponent.values)
F, P = AttemptResult.FAILED, AttemptResult.PASSED


def both(today=TODAY) -> list[tuple[str, int, int]]:
    """(name, status in SQL from the stored route facts, status in Python from the exam rows)."""
    rows = with_route_status(with_routes(Person.objects.order_by("pk")), today)
    return [(p.last_name, p.route_status, routes(p, today).status) for p in rows]


def assert_same(today=TODAY):
    differ = [row for row in both(today) if row[1] != row[2]]
    assert not differ, differ


def person(name, *, hours=0, term_end=dt.date(2024, 7, 1), exams=None):
    """``exams``: {component: "exempt" | list of results}; a component left out has no exam row."""
    p = PersonFactory(last_name=name, lesson_hours_integration=hours, term_end=term_end)
    for component, results in (exams or {}).items():
        if results == "exempt":
            add_exam(p, component, exempted=True)
        else:
            add_exam(p, component, results=results)
    return p


@pytest.mark.parametrize(
    ("hours", "tries", "status"),
    [
        (600, 4, RouteStatus.REACHED),  # 600 hours and 4 attempts: ontheffing mogelijk
        (599, 4, RouteStatus.WITHIN_REACH),  # 1 hour left: fits
        (600, 3, RouteStatus.WITHIN_REACH),  # 1 attempt left: 4 weeks, 25 left
        (0, 0, RouteStatus.NONE),  # 600 hours need 50 weeks; 25 left
        (300, 0, RouteStatus.WITHIN_REACH),  # 300 hours = 25 weeks exactly; 4 attempts = 16 weeks
        (299, 0, RouteStatus.NONE),  # 301 hours: 26 weeks
    ],
)
def test_boundaries_agree(hours, tries, status):
    person("X", hours=hours, exams={c: [F] * tries for c in ALL})
    (row,) = both()
    assert row[1] == row[2] == status


def test_a_missing_exam_row_is_an_open_component_with_no_attempts():
    exams = {c: [F] * 4 for c in ALL[:-1]}  # ONA missing
    person("KortOnaOntbreekt", hours=600, exams=exams, term_end=TODAY + dt.timedelta(weeks=15))
    person("LangOnaOntbreekt", hours=600, exams=exams, term_end=TODAY + dt.timedelta(weeks=16))
    person("GeenExamens", hours=600, term_end=TODAY + dt.timedelta(weeks=16))
    assert both() == [
        ("KortOnaOntbreekt", RouteStatus.NONE, RouteStatus.NONE),
        ("LangOnaOntbreekt", RouteStatus.WITHIN_REACH, RouteStatus.WITHIN_REACH),
        ("GeenExamens", RouteStatus.WITHIN_REACH, RouteStatus.WITHIN_REACH),
    ]


def test_exam_route_done_and_a_passed_term():
    person("Klaar", exams={c: [F, P] if i % 2 else "exempt" for i, c in enumerate(ALL)})
    person("Verstreken", hours=599, exams={c: [F] * 4 for c in ALL}, term_end=TODAY - dt.timedelta(days=1))
    person("VerstrekenMaarMogelijk", hours=600, exams={c: [F] * 4 for c in ALL}, term_end=TODAY - dt.timedelta(days=1))
    assert both() == [
        ("Klaar", RouteStatus.REACHED, RouteStatus.REACHED),
        ("Verstreken", RouteStatus.NONE, RouteStatus.NONE),
        ("VerstrekenMaarMogelijk", RouteStatus.REACHED, RouteStatus.REACHED),
    ]


@pytest.mark.parametrize("days", [0, 6, 7, 13, 27, 28, 111, 112, 7 * 50 - 1, 7 * 50, 7 * 60])
def test_whole_weeks_to_the_term_end_agree(days):
    for hours in (0, 588, 590, 599):
        for tries in (0, 1, 2, 3):
            person(f"h{hours}t{tries}", hours=hours, term_end=TODAY + dt.timedelta(days=days),
                   exams={c: [F] * tries for c in ALL[:5]} | {ALL[5]: "exempt"})  # fmt: skip
    assert_same()


def test_random_persons_agree():
    rng = random.Random(14)
    for n in range(60):
        exams = {}
        for component in ALL:
            kind = rng.random()
            if kind < 0.15:
                continue
            exams[component] = (
                "exempt" if kind < 0.25 else [F] * rng.randint(0, 5) + ([P] if rng.random() < 0.3 else [])
            )
        person(f"r{n}", hours=rng.choice([0, 200, 450, 580, 599, 600, 700]), exams=exams,
               term_end=TODAY + dt.timedelta(days=rng.randint(-100, 500)))  # fmt: skip
    assert_same()
    for shift in (-30, 60, 200):
        assert_same(TODAY + dt.timedelta(days=shift))
