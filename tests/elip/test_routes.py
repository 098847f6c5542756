"""Routewijzer (issue 14 part 1): the boundaries of DOMAIN.md "Routes out of the obligation",
the advice line, the detail screen and a query count that does not grow with the list."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elip.routes import routes, with_routes
from elip.services.registry import obligation_end
from pib.constants import AttemptResult, ExamComponent, ObligationStatus
from pib.models import Person
from tests.elip.persons_data import GRONINGEN
from tests.pib.factories import PersonFactory, add_exam

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 1, 3)  # PersonFactory's term end is 01-07-2024: 25 whole weeks later
ALL = list(ExamComponent.values)
F, P = AttemptResult.FAILED, AttemptResult.PASSED


def make_person(*, integration=0, literacy=0, attempts=None, passed=(), exempted=(), factory=PersonFactory, **kw):
    """A person with ``attempts[c]`` failed attempts per component (default 4 for every component
    not passed or exempted), one passed attempt for each of ``passed``, and ``exempted`` exempt."""
    person = factory(lesson_hours_integration=integration, lesson_hours_literacy=literacy, **kw)
    attempts = attempts or {}
    for component in ALL:
        if component in exempted:
            add_exam(person, component, exempted=True)
        elif component in passed:
            add_exam(person, component, results=[F] * attempts.get(component, 0) + [P])
        else:
            add_exam(person, component, results=[F] * attempts.get(component, 4))
    return person


def route_of(person, today=TODAY):
    return routes(with_routes(Person.objects.filter(pk=person.pk)).get(), today)


@pytest.mark.parametrize(
    ("integration", "literacy", "met"), [(600, 0, True), (599, 0, False), (400, 200, True), (400, 199, False)]
)
def test_600_hours_count_599_do_not_and_literacy_hours_count_too(integration, literacy, met):
    r = route_of(make_person(integration=integration, literacy=literacy))
    assert r.hours == integration + literacy
    assert r.exemption_met is met
    assert r.hours_left == (0 if met else 1)


@pytest.mark.parametrize(("attempts", "met"), [(4, True), (3, False), (5, True)])
def test_4_attempts_count_3_do_not(attempts, met):
    r = route_of(make_person(integration=600, attempts={ExamComponent.SPEAKING: attempts}))
    speaking = next(c for c in r.components if c.component == ExamComponent.SPEAKING)
    assert speaking.attempts == attempts and speaking.open
    assert speaking.attempts_left == (0 if met else 1)
    assert r.exemption_met is met


def test_passed_and_exempted_components_need_no_attempts():
    person = make_person(
        integration=600,
        passed=[ExamComponent.READING, ExamComponent.KNM],
        exempted=[ExamComponent.WRITING],
        attempts={ExamComponent.READING: 0, ExamComponent.KNM: 1},
    )
    r = route_of(person)
    assert [c.name for c in r.open_components] == ["Luisteren", "Spreken", "ONA"]
    assert r.done_count == 3 and r.total_count == 6
    assert r.exemption_met


def test_ona_is_a_component_of_both_routes():
    r = route_of(make_person(integration=600, attempts={ExamComponent.ONA: 3}))
    assert not r.exemption_met
    assert r.exemption_left_text() == "nog 1 poging ONA"
    r = route_of(make_person(integration=600, passed=ALL[:-1]))
    assert [c.component for c in r.open_components] == [ExamComponent.ONA]
    assert not r.exam_route_done


def test_a_component_without_exam_row_is_open_with_no_attempts():
    r = route_of(PersonFactory(lesson_hours_integration=600))
    assert len(r.open_components) == 6
    assert all(c.attempts == 0 and c.attempts_left == 4 for c in r.components)
    assert not r.exemption_met


def test_advice_within_reach_names_hours_and_attempts():
    person = make_person(
        integration=500,
        literacy=60,
        passed=[c for c in ALL if c != ExamComponent.SPEAKING],
        attempts={ExamComponent.SPEAKING: 3},
    )
    r = route_of(person)
    assert r.weeks_left == 25
    assert r.advice == "Ontheffing binnen bereik: nog 40 uur en 1 poging Spreken."


def test_advice_when_out_of_reach_done_met_or_term_passed():
    far = route_of(make_person(integration=0, attempts=dict.fromkeys(ALL, 0)))
    assert far.advice.startswith("Ontheffing niet binnen bereik")
    assert "KNM, Lezen, Luisteren, Schrijven, Spreken en ONA" in far.advice
    assert route_of(make_person(passed=ALL)).advice.startswith("Examenroute voltooid")
    assert route_of(make_person(integration=600)).advice.startswith("Ontheffing mogelijk")
    late = route_of(make_person(integration=590), today=dt.date(2024, 7, 2))
    assert late.weeks_left == 0 and late.term_passed
    assert late.advice.startswith("Termijn verstreken") and "nog 10 uur" in late.advice


def test_with_routes_costs_the_same_queries_for_2_and_20_persons():
    def load(persons):
        with CaptureQueriesContext(connection) as ctx:
            rows = [routes(p, TODAY) for p in with_routes(Person.objects.filter(pk__in=[p.pk for p in persons]))]
        assert len(rows) == len(persons)
        return len(ctx.captured_queries)

    persons = [make_person(integration=i * 30, attempts={ExamComponent.ONA: i % 5}) for i in range(20)]
    assert load(persons[:2]) == load(persons) == 1


@time_machine.travel(dt.datetime(2024, 1, 3, 12, 0, tzinfo=dt.UTC), tick=False)
def test_detail_screen_shows_both_routes_with_progress_bars_and_the_guidance_sentence(client_a):
    person = make_person(
        factory=lambda **kw: PersonFactory(elip=True, code=GRONINGEN, **kw),
        integration=500,
        literacy=60,
        passed=[c for c in ALL if c != ExamComponent.SPEAKING],
        attempts={ExamComponent.SPEAKING: 3},
    )
    response = client_a.get(reverse("elip:person_detail", kwargs={"public_id": person.public_id}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Examenroute" in html and "Ontheffingsroute" in html
    assert "Ontheffing binnen bereik: nog 40 uur en 1 poging Spreken." in html
    assert "Nog 25 weken tot het einde van de inburgeringstermijn" in html
    assert '<progress id="route-hours" max="600" value="560">' in html
    assert '<progress id="route-exams" max="6" value="5">' in html
    assert '<progress id="route-attempts-1" max="4" value="3">' in html
    assert "geen besluit: over een verzoek om ontheffing beslist DUO" in html
    assert "<script" not in html.split('id="routewijzer"')[1].split('id="examens"')[0]


def test_obliged_person_has_a_routewijzer_and_an_ended_obligation_has_none(client_a):
    """Guidance only while the obligation runs (DOMAIN.md): an exempted person's detail, reached
    from its SS402 signal, shows the end status and no route."""
    person = make_person(factory=lambda **kw: PersonFactory(elip=True, code=GRONINGEN, **kw))
    url = reverse("elip:person_detail", kwargs={"public_id": person.public_id})
    assert "Routewijzer" in client_a.get(url).content.decode()
    obligation_end(person=person, status=ObligationStatus.EXEMPTED, on_date=TODAY)
    html = client_a.get(url).content.decode()
    assert "De inburgeringsplicht is beëindigd" in html
    assert "Routewijzer" not in html and "Examenroute" not in html
