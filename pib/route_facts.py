"""Route facts: what a person's exam rows say about the two routes out of the obligation, kept on
the person itself (``Person.route_open_components``, ``Person.route_min_attempts``) so that a list
of any length can be ordered and filtered by route status from the person's own columns
(``elip.routes.with_route_status``) — the Werkvoorraad of the largest municipality orders ~5,500
persons by it on every page (docs/portal.md "Werkvoorraad at national scale").

The two facts (DOMAIN.md "Routes out of the obligation"; the six components of ``ExamComponent``,
a component without an ``Exam`` row is open with 0 attempts):

* ``route_open_components``: components neither passed nor exempted (0–6);
* ``route_min_attempts``: the fewest attempts, counted up to ``REQUIRED_ATTEMPTS``, among the open
  components (0–4); ``REQUIRED_ATTEMPTS`` when none is open.

Guarantees:

* They are a cache of the exam rows, never typed by anyone: not editable, not in the person's
  history, not in the registry files.
* Every write of an ``Exam`` or ``ExamAttempt`` through the ORM (admin, services, the registry
  import's changed rows, test factories) refreshes that person's facts in the same transaction
  (``post_save``/``post_delete``, connected in ``PibConfig.ready``).
* Writes that send no per-row signal — the demo's COPY, the registry import's INSERT … SELECT —
  call ``refresh_route_facts`` for what they wrote. ``manage.py refresh_route_facts`` recomputes
  every person (after a repair in SQL) and says how many changed; the tests compare the stored facts
  with the exam rows after every write path.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.db.models.signals import post_delete, post_save

from .constants import COMPONENT_COUNT, REQUIRED_ATTEMPTS, ROUTE_FACT_FIELDS, AttemptResult
from .models import Exam, ExamAttempt, Person

CHUNK = 5_000


def route_facts(exam_rows: Iterable[tuple[bool, int, bool]]) -> tuple[int, int]:
    """(open components, fewest attempts among them) from a person's exam rows, each
    ``(exempted, attempts, passed)``; missing components are open with 0 attempts."""
    rows = list(exam_rows)
    open_attempts = [
        min(attempts, REQUIRED_ATTEMPTS) for exempted, attempts, passed in rows if not (exempted or passed)
    ]
    open_attempts += [0] * max(COMPONENT_COUNT - len(rows), 0)
    return len(open_attempts), min(open_attempts, default=REQUIRED_ATTEMPTS)


def exam_figures(person_ids, *, exam_model=Exam) -> dict[tuple[int, str], tuple[bool, int, bool]]:
    """Per (person id, component) with an exam row: (exempted, attempts, passed) — one grouped query
    for all of ``person_ids`` (also the Routewijzer of a page of persons, ``elip.routes``)."""
    rows = (
        exam_model.objects.filter(person_id__in=person_ids)
        .order_by()
        .values_list("person_id", "component", "exempted")
        .annotate(
            tries=Count("attempts"),
            passed=Max(
                Case(When(attempts__result=AttemptResult.PASSED, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
        )
    )
    return {(person, component): (exempted, tries, bool(passed)) for person, component, exempted, tries, passed in rows}


def _facts_by_person(exam_model, person_ids) -> dict[int, tuple[int, int]]:
    rows = defaultdict(list)
    for (person_id, _component), figures in exam_figures(person_ids, exam_model=exam_model).items():
        rows[person_id].append(figures)
    return {person_id: route_facts(rows[person_id]) for person_id in person_ids}


def refresh_route_facts(person_ids: Iterable[int] | None = None, *, models=None) -> int:
    """Recompute the facts of ``person_ids`` (every person when None) from their exam rows and store
    those that differ; returns how many persons changed. Set-based: per chunk of ``CHUNK`` persons one
    read of the stored facts, one grouped read of the exam rows and one UPDATE per distinct pair of
    values (at most 35). ``models`` = (Person, Exam), for a migration's historical models."""
    person_model, exam_model = models or (Person, Exam)
    if person_ids is None:
        ids = list(person_model.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            stored = {
                pk: (open_count, fewest)
                for pk, open_count, fewest in person_model.objects.filter(pk__in=chunk)
                .order_by()
                .values_list("pk", "route_open_components", "route_min_attempts")
            }
            new = defaultdict(list)
            for person_id, facts in _facts_by_person(exam_model, list(stored)).items():
                if stored[person_id] != facts:
                    new[facts].append(person_id)
            for facts, pks in new.items():
                person_model.objects.filter(pk__in=pks).update(**dict(zip(ROUTE_FACT_FIELDS, facts, strict=True)))
                changed += len(pks)
    return changed


def _person_of_exam(exam_id) -> list[int]:
    return list(Exam.objects.filter(pk=exam_id).values_list("person_id", flat=True))


def exam_written(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` of an ``Exam``."""
    refresh_route_facts([instance.person_id])


def attempt_written(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` of an ``ExamAttempt`` (when its exam is deleted in the same
    cascade, the exam's own ``post_delete`` refreshes the person)."""
    refresh_route_facts(_person_of_exam(instance.exam_id))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(exam_written, sender=Exam, dispatch_uid=f"route-facts-exam-{signal is post_save}")
        signal.connect(attempt_written, sender=ExamAttempt, dispatch_uid=f"route-facts-attempt-{signal is post_save}")
