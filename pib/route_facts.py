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
* One home: the facts are computed by one SQL statement (``_FACTS``, the same on PostgreSQL and
  SQLite), for one person after a write as for every person in a repair.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.db.models.signals import post_delete, post_save

from .constants import COMPONENT_COUNT, REQUIRED_ATTEMPTS, AttemptResult
from .models import Exam, ExamAttempt, Person

CHUNK = 5_000


# The two facts as SQL expressions on a row of the person table ({person}), one correlated subquery
# each over its exam rows ({exam}) and their attempts ({attempt}); each holds one parameter, the
# 'passed' result. Booleans and CASE as PostgreSQL and SQLite both read them.
_DONE = "(e.exempted OR EXISTS (SELECT 1 FROM {attempt} a WHERE a.exam_id = e.id AND a.result = %s))"
_TRIES = (
    f"(SELECT CASE WHEN COUNT(*) > {REQUIRED_ATTEMPTS} THEN {REQUIRED_ATTEMPTS} ELSE COUNT(*) END "  # noqa: S608
    "FROM {attempt} a WHERE a.exam_id = e.id)"
)
_OPEN = f"({COMPONENT_COUNT} - (SELECT COUNT(*) FROM {{exam}} e WHERE e.person_id = {{person}}.id AND {_DONE}))"  # noqa: S608
_FEWEST = (
    f"(CASE WHEN (SELECT COUNT(*) FROM {{exam}} e WHERE e.person_id = {{person}}.id) < {COMPONENT_COUNT} THEN 0 "  # noqa: S608
    f"ELSE COALESCE((SELECT MIN({_TRIES}) FROM {{exam}} e WHERE e.person_id = {{person}}.id AND NOT {_DONE}), "
    f"{REQUIRED_ATTEMPTS}) END)"
)
_FACTS = f"route_open_components = {_OPEN}, route_min_attempts = {_FEWEST}"
_DIFFER = f"(route_open_components <> {_OPEN} OR route_min_attempts <> {_FEWEST})"


def _update(models, where: str, params: list, *, only_changed: bool) -> int:
    """``UPDATE`` the facts of the persons ``where`` selects; with ``only_changed`` only those whose
    stored facts differ (the row count is then how many changed)."""
    person_model, exam_model = models
    q = connection.ops.quote_name
    tables = {
        "person": q(person_model._meta.db_table),
        "exam": q(exam_model._meta.db_table),
        "attempt": q(exam_model._meta.get_field("attempts").related_model._meta.db_table),
    }
    sql = f"UPDATE {{person}} SET {_FACTS} WHERE {where}"  # noqa: S608 - table names and constants only
    passed = [AttemptResult.PASSED] * 2
    params = [*passed, *params]
    if only_changed:
        sql += f" AND {_DIFFER}"
        params += passed
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables), params)
        return cursor.rowcount


def refresh_route_facts(person_ids: Iterable[int] | None = None, *, models=None) -> int:
    """Recompute the facts of ``person_ids`` (every person when None) from their exam rows and store
    those that differ; returns how many persons changed. Set-based: one UPDATE per ``CHUNK`` persons.
    ``models`` = (Person, Exam), for a migration's historical models."""
    models = models or (Person, Exam)
    if person_ids is None:
        return _update(models, "1 = 1", [], only_changed=True)
    ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        changed += _update(models, f"id IN ({marks})", chunk, only_changed=True)
    return changed


def exam_figures(person_ids) -> dict[tuple[int, str], tuple[bool, int, bool]]:
    """Per (person id, component) with an exam row: (exempted, attempts, passed) — one grouped query
    for all of ``person_ids`` (the Routewijzer of a page of persons, ``elip.routes.attach_routes``)."""
    rows = (
        Exam.objects.filter(person_id__in=person_ids)
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


def _store(person_id: int) -> None:
    """One person's facts after a write of one of their exam rows: one UPDATE."""
    _update((Person, Exam), "id = %s", [person_id], only_changed=False)


def exam_written(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` of an ``Exam``."""
    _store(instance.person_id)


def attempt_written(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` of an ``ExamAttempt`` (when its exam is deleted in the same
    cascade, the exam's own ``post_delete`` stores the person's facts again)."""
    if ExamAttempt.exam.is_cached(instance):
        _store(instance.exam.person_id)
        return
    for person_id in Exam.objects.filter(pk=instance.exam_id).values_list("person_id", flat=True):
        _store(person_id)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(exam_written, sender=Exam, dispatch_uid=f"route-facts-exam-{signal is post_save}")
        signal.connect(attempt_written, sender=ExamAttempt, dispatch_uid=f"route-facts-attempt-{signal is post_save}")
