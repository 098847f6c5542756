"""The route facts on the person (``pib.route_facts``) follow the exam rows on every write path:
ORM writes of exams and attempts (admin, services, factories), a person saved from a stale
instance, the repair command — and they are the facts ``route_facts`` derives from the rows."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from pib.constants import COMPONENT_COUNT, REQUIRED_ATTEMPTS, AttemptResult, ExamComponent
from pib.models import Exam, ExamAttempt, Person
from pib.route_facts import refresh_route_facts
from tests.pib.factories import PersonFactory, add_exam

pytestmark = pytest.mark.django_db

ALL = list(ExamComponent.values)
F, P = AttemptResult.FAILED, AttemptResult.PASSED


def stored(person) -> tuple[int, int]:
    return tuple(Person.objects.filter(pk=person.pk).values_list("route_open_components", "route_min_attempts")[0])


@pytest.mark.parametrize(
    ("exams", "facts"),
    [
        ({c: [F] * 5 for c in ALL}, (6, 4)),  # attempts count up to 4
        ({c: [F] * 3 for c in ALL}, (6, 3)),
        ({c: "exempt" for c in ALL}, (0, 4)),  # all exempted: nothing open
        ({c: [F, P] for c in ALL}, (0, 4)),  # all passed
        ({c: [F] * 4 for c in ALL[:5]}, (6, 0)),  # the sixth has no row: open with 0 attempts
        (dict(zip(ALL, ["exempt", [F, P], [F] * 4, [F] * 3, [F] * 9, [F] * 9], strict=True)), (4, 3)),
        (dict(zip(ALL, [[], "exempt", [P], [P], [P], [P]], strict=True)), (1, 0)),  # a row without attempts
    ],
)
def test_the_facts_from_exam_rows(exams, facts):
    assert COMPONENT_COUNT == 6 and REQUIRED_ATTEMPTS == 4
    person = PersonFactory()
    for component, results in exams.items():
        add_exam(person, component, exempted=results == "exempt", results=[] if results == "exempt" else results)
    assert stored(person) == facts
    Person.objects.filter(pk=person.pk).update(route_open_components=6, route_min_attempts=0)
    assert refresh_route_facts([person.pk]) == (facts != (6, 0))  # the repair computes the same


def test_a_person_without_exams_has_six_open_components_and_no_attempts():
    person = PersonFactory()
    assert stored(person) == (6, 0)
    assert refresh_route_facts() == 0


def test_every_orm_write_of_exams_and_attempts_keeps_the_facts():
    person = PersonFactory()
    exams = [add_exam(person, c, results=[F] * 4) for c in ALL]
    assert stored(person) == (6, 4)
    attempt = ExamAttempt.objects.get(exam=exams[0], number=4)
    attempt.delete()
    assert stored(person) == (6, 3)
    ExamAttempt.objects.create(exam=exams[0], number=4, date=dt.date(2024, 1, 1), result=P)
    assert stored(person) == (5, 4)
    exams[1].exempted = True
    exams[1].save()
    assert stored(person) == (4, 4)
    ExamAttempt.objects.filter(exam=exams[2]).delete()  # a queryset delete sends per-row signals too
    assert stored(person) == (4, 0)
    exams[2].delete()
    assert stored(person) == (4, 0)  # the component has no row now: open, 0 attempts
    Exam.objects.filter(person=person).delete()
    assert stored(person) == (6, 0)
    assert refresh_route_facts() == 0


def test_saving_a_stale_person_instance_keeps_the_facts():
    person = PersonFactory()  # read before the exams are written
    for c in ALL:
        add_exam(person, c, results=[F, P])
    assert stored(person) == (0, 4)
    person.lesson_hours_integration = 120
    person.save()
    assert stored(person) == (0, 4)
    assert Person.objects.get(pk=person.pk).lesson_hours_integration == 120


def test_the_repair_command_finds_and_fixes_facts_changed_outside_django():
    people = [PersonFactory() for _ in range(3)]
    for c in ALL:
        add_exam(people[0], c, exempted=True)
    Person.objects.filter(pk__in=[p.pk for p in people]).update(route_open_components=3, route_min_attempts=2)
    out = io.StringIO()
    call_command("refresh_route_facts", stdout=out)
    assert "3 gewijzigd" in out.getvalue()
    assert [stored(p) for p in people] == [(0, 4), (6, 0), (6, 0)]
    call_command("refresh_route_facts", stdout=out)
    assert out.getvalue().endswith("0 gewijzigd.\n")


def test_the_facts_are_not_in_the_person_history_or_its_forms():
    person = PersonFactory()
    add_exam(person, ALL[0], results=[F])
    history_fields = {f.name for f in Person.history.model._meta.fields}
    assert not {"route_open_components", "route_min_attempts"} & history_fields
    assert not Person._meta.get_field("route_open_components").editable
    assert not Person._meta.get_field("route_min_attempts").editable
