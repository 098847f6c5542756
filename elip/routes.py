"""Routewijzer: the two ways out of the integration obligation for each ELIP person, computed
set-based (DOMAIN.md "Routes out of the obligation").

Guarantees:

* ``with_routes(queryset)`` only adds annotations (correlated subqueries, no joins, no GROUP BY):
  the queryset keeps its rows, filters, ordering and other annotations, and a list of any length
  costs the same number of queries as a list of one. ``routes(person, today)`` then reads only
  those annotations and never queries.
* ``with_route_status(queryset, today)`` gives the status in one number from the person's own
  columns (the route facts the registry keeps with the exam rows, ``pib.route_facts``), so the
  Werkvoorraad orders thousands of persons by it without a subquery per person.
* Components are the six of ``ExamComponent``, ONA included. A component is *open* unless it is
  exempted (``Exam.exempted``) or has a passed attempt; a person with no ``Exam`` row for a
  component has it open with 0 attempts. Attempts are the person's ``ExamAttempt`` rows of that
  component (as the exam table counts them).
* Hours are the lesson hours DUO registered on the person: ``lesson_hours_integration`` +
  ``lesson_hours_literacy`` (the registry records hours per person, not per institution, so the
  Blik op Werk condition on the hours is DUO's registration, not checked here).
* Ontheffingsroute met: hours >= 600 (600 counts, 599 does not) and every open component has
  >= 4 attempts (4 counts, 3 do not); a passed or exempted component needs no attempts.
* "Binnen bereik" is a guidance estimate, stated here so it can be challenged: what is left of the
  ontheffingsroute fits in the weeks to the term end at ``HOURS_PER_WEEK`` lesson hours a week and
  one attempt per component every ``WEEKS_PER_ATTEMPT`` weeks. It is never a decision: DUO
  decides on an exemption request.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from pib.constants import REQUIRED_ATTEMPTS, AttemptResult, ExamComponent
from pib.models import Exam, ExamAttempt, Person
from pib.route_facts import exam_figures

REQUIRED_HOURS = 600
HOURS_PER_WEEK = 12
WEEKS_PER_ATTEMPT = 4

COMPONENTS = list(ExamComponent.values)  # KNM, Lezen, Luisteren, Schrijven, Spreken, ONA
SHORT_NAMES = {ExamComponent.KNM: "KNM", ExamComponent.ONA: "ONA"}


def _key(component: str) -> str:
    return component.lower()


def with_routes(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """``queryset`` annotated with ``route_hours`` and, per component c, ``route_attempts_<c>``,
    ``route_passed_<c>`` and ``route_exempted_<c>`` (c lower-case, e.g. ``route_attempts_ona``)."""
    annotations = {
        "route_hours": F("lesson_hours_integration") + F("lesson_hours_literacy"),
    }
    for component in COMPONENTS:
        key = _key(component)
        attempts = ExamAttempt.objects.filter(exam__person=OuterRef("pk"), exam__component=component)
        annotations[f"route_attempts_{key}"] = Coalesce(
            Subquery(
                attempts.order_by().values("exam__person").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        annotations[f"route_passed_{key}"] = Exists(attempts.filter(result=AttemptResult.PASSED))
        annotations[f"route_exempted_{key}"] = Exists(
            Exam.objects.filter(person=OuterRef("pk"), component=component, exempted=True)
        )
    return queryset.annotate(**annotations)


def attach_routes(persons: list[Person]) -> list[Person]:
    """``persons``, already loaded, given what ``with_routes`` annotates — from one query over their
    exam rows (grouped per person and component), not 18 subqueries per row: the Werkvoorraad's
    page of 20. Returns the same list."""
    figures = exam_figures([person.pk for person in persons])
    for person in persons:
        person.route_hours = person.lesson_hours_integration + person.lesson_hours_literacy
        for component in COMPONENTS:
            exempted, tries, passed = figures.get((person.pk, component), (False, 0, False))
            key = _key(component)
            setattr(person, f"route_attempts_{key}", tries)
            setattr(person, f"route_passed_{key}", passed)
            setattr(person, f"route_exempted_{key}", exempted)
    return persons


class RouteStatus:
    """The route status of a person in one number, as the Werkvoorraad sorts and filters on it:
    a route the case worker can still help along first, a route already reached last."""

    WITHIN_REACH = 0  # ontheffing binnen bereik (not yet met)
    NONE = 1  # geen route binnen bereik (term passed, or too much left for the weeks to the term end)
    REACHED = 2  # examenroute voltooid, or ontheffing mogelijk (600 hours and 4 attempts reached)

    LABELS = {
        WITHIN_REACH: "Ontheffing binnen bereik",
        NONE: "Geen route binnen bereik",
        REACHED: "Route gehaald",
    }


class DaysUntil(Func):
    """Whole days from ``today`` to a date column (negative once it has passed), the same number on
    PostgreSQL (``date - date``) and SQLite (``julianday``)."""

    output_field = IntegerField()

    def __init__(self, expression, today: dt.date):
        super().__init__(expression)
        self.today = today

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) - %s::date)", [*params, self.today]

    def as_sql(self, compiler, connection, **extra):  # SQLite
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - julianday(%s) AS INTEGER)", [*params, self.today.isoformat()]


def with_route_status(queryset: QuerySet[Person], today: dt.date) -> QuerySet[Person]:
    """``queryset`` annotated with ``route_status`` (a ``RouteStatus`` value): the same answer as
    ``routes(person, today).status`` (the tests compare both on every boundary), computed from the
    person's own columns — the hours, the term end and the route facts the registry keeps with the
    exam rows (``pib.route_facts``: open components, fewest attempts among them) — so a whole list
    is filtered and ordered by it with a few operations per row: no subquery, no join.

    How: reached when no component is open, or no hours are left and every open component has 4
    attempts; within reach when the term end has not passed, the hours left fit in the whole weeks
    left at ``HOURS_PER_WEEK`` a week and the attempts still needed (4 − fewest) fit at one per
    ``WEEKS_PER_ATTEMPT`` weeks; otherwise none."""
    hours_left = Greatest(Value(REQUIRED_HOURS) - F("lesson_hours_integration") - F("lesson_hours_literacy"), Value(0))
    # whole weeks: integer division, exact because the term end has not passed where it is used
    weeks_left = ExpressionWrapper(DaysUntil(F("term_end"), today) / Value(7), output_field=IntegerField())
    attempts_needed = Greatest(Value(REQUIRED_ATTEMPTS) - F("route_min_attempts"), Value(0))
    reached = Q(route_open_components=0) | Q(route_hours_left__lte=0, route_min_attempts__gte=REQUIRED_ATTEMPTS)
    within_reach = Q(
        term_end__gte=today,
        route_hours_left__lte=F("route_weeks_left") * Value(HOURS_PER_WEEK),
        route_weeks_left__gte=F("route_attempts_needed") * Value(WEEKS_PER_ATTEMPT),
    )
    return queryset.alias(
        route_hours_left=hours_left, route_weeks_left=weeks_left, route_attempts_needed=attempts_needed
    ).annotate(
        route_status=Case(
            When(reached, then=Value(RouteStatus.REACHED)),
            When(within_reach, then=Value(RouteStatus.WITHIN_REACH)),
            default=Value(RouteStatus.NONE),
            output_field=IntegerField(),
        )
    )


@dataclass(frozen=True)
class ComponentRoute:
    component: str
    name: str
    attempts: int
    passed: bool
    exempted: bool

    @property
    def open(self) -> bool:
        return not (self.passed or self.exempted)

    @property
    def attempts_left(self) -> int:
        """Attempts still needed for the ontheffingsroute (0 for a passed or exempted component)."""
        return max(REQUIRED_ATTEMPTS - self.attempts, 0) if self.open else 0

    @property
    def attempts_shown(self) -> int:
        """The progress bar value: attempts, capped at the 4 that count."""
        return min(self.attempts, REQUIRED_ATTEMPTS)


@dataclass(frozen=True)
class Routes:
    hours: int
    components: list[ComponentRoute]
    term_end: dt.date
    today: dt.date

    required_hours = REQUIRED_HOURS
    required_attempts = REQUIRED_ATTEMPTS

    @property
    def hours_left(self) -> int:
        return max(REQUIRED_HOURS - self.hours, 0)

    @property
    def hours_shown(self) -> int:
        return min(self.hours, REQUIRED_HOURS)

    @property
    def open_components(self) -> list[ComponentRoute]:
        return [c for c in self.components if c.open]

    @property
    def done_count(self) -> int:
        return len(self.components) - len(self.open_components)

    @property
    def total_count(self) -> int:
        return len(self.components)

    @property
    def weeks_left(self) -> int:
        """Whole weeks from today to the term end; 0 once the term end has passed."""
        return max((self.term_end - self.today).days // 7, 0)

    @property
    def term_passed(self) -> bool:
        return self.term_end < self.today

    @property
    def exam_route_done(self) -> bool:
        return not self.open_components

    @property
    def exemption_met(self) -> bool:
        """600 hours and 4 attempts at every open component (DOMAIN.md boundaries)."""
        return self.hours_left == 0 and all(c.attempts_left == 0 for c in self.open_components)

    @property
    def exemption_within_reach(self) -> bool:
        """What is left fits before the term end (see the module docstring for the pace assumed)."""
        if self.exemption_met:
            return True
        if self.term_passed:
            return False
        max_attempts_left = max((c.attempts_left for c in self.open_components), default=0)
        return (
            self.hours_left <= self.weeks_left * HOURS_PER_WEEK
            and max_attempts_left * WEEKS_PER_ATTEMPT <= self.weeks_left
        )

    @property
    def status(self) -> int:
        """The ``RouteStatus`` (what ``with_route_status`` computes in SQL)."""
        if self.exam_route_done or self.exemption_met:
            return RouteStatus.REACHED
        return RouteStatus.WITHIN_REACH if self.exemption_within_reach else RouteStatus.NONE

    @property
    def status_label(self) -> str:
        return RouteStatus.LABELS[self.status]

    def exemption_left_text(self) -> str:
        """'nog 40 uur en 1 poging Spreken'."""
        parts = []
        if self.hours_left:
            parts.append(f"{self.hours_left} uur")
        for c in self.open_components:
            if c.attempts_left:
                parts.append(f"{c.attempts_left} {'poging' if c.attempts_left == 1 else 'pogingen'} {c.name}")
        return "nog " + _join(parts)

    @property
    def advice(self) -> str:
        """One plain Dutch line of guidance."""
        if self.exam_route_done:
            return "Examenroute voltooid: alle examenonderdelen zijn gehaald of vrijgesteld."
        if self.exemption_met:
            return (
                "Ontheffing mogelijk: 600 lesuren en 4 pogingen per open onderdeel zijn bereikt; "
                "de inburgeraar kan ontheffing aanvragen bij DUO."
            )
        still = "nog te halen: " + _join([c.name for c in self.open_components])
        if self.term_passed:
            return f"Termijn verstreken: {still}; voor ontheffing {self.exemption_left_text()}."
        if self.exemption_within_reach:
            return f"Ontheffing binnen bereik: {self.exemption_left_text()}."
        return f"Ontheffing niet binnen bereik voor het einde van de termijn; examenroute: {still}."


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " en " + parts[-1]


def routes(person: Person, today: dt.date) -> Routes:
    """The Routewijzer of a person loaded through ``with_routes`` or ``attach_routes`` (no query)."""
    components = []
    for component in COMPONENTS:
        key = _key(component)
        components.append(
            ComponentRoute(
                component=component,
                name=SHORT_NAMES.get(component, component),
                attempts=getattr(person, f"route_attempts_{key}"),
                passed=getattr(person, f"route_passed_{key}"),
                exempted=getattr(person, f"route_exempted_{key}"),
            )
        )
    return Routes(hours=person.route_hours, components=components, term_end=person.term_end, today=today)
