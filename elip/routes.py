"""Routewijzer: the two ways out of the integration obligation for each ELIP person, computed
set-based (DOMAIN.md "Routes out of the obligation").

Guarantees:

* ``with_routes(queryset)`` only adds annotations (correlated subqueries, no joins, no GROUP BY):
  the queryset keeps its rows, filters, ordering and other annotations, and a list of any length
  costs the same number of queries as a list of one. ``routes(person, today)`` then reads only
  those annotations and never queries.
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
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Substr
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from pib.constants import AttemptResult, ExamComponent
from pib.models import Exam, ExamAttempt, Person

REQUIRED_HOURS = 600
REQUIRED_ATTEMPTS = 4
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


def _status_table() -> str:
    """``RouteStatus`` for each of the 64 keys ``with_route_status`` computes, as a string of digits
    (a lookup the database does with SUBSTR, so the per-person subquery is evaluated once). Key bits:
    level × 16 (0–3, see ``with_route_status``), all six components have an exam row × 8, no hours
    left × 4, the hours left fit in the weeks left × 2, at least 16 weeks left × 1."""
    table = []
    for key in range(64):
        level, rows6, no_hours, hours_fit, weeks16 = key >> 4, key >> 3 & 1, key >> 2 & 1, key >> 1 & 1, key & 1
        if rows6 and level == 0:
            status = RouteStatus.REACHED  # every component passed or exempted
        elif no_hours and rows6 and level <= 1:
            status = RouteStatus.REACHED  # 600 hours and 4 attempts at every open component
        elif hours_fit and level <= 2 and (rows6 or weeks16):
            status = RouteStatus.WITHIN_REACH
        else:
            status = RouteStatus.NONE
        table.append(str(status))
    return "".join(table)


STATUS_TABLE = _status_table()


def _level_table() -> str:
    """The level of an exam row that is not exempted, for key attempt code × 5 + fit (see
    ``with_route_status``): 0 passed; 1 open with 4+ attempts; 2 open, the attempts still needed
    fit in the weeks left; 3 otherwise."""
    table = []
    for code in range(2 * (REQUIRED_ATTEMPTS + 1)):
        tries, passed = code // 2, code % 2
        for fit in range(REQUIRED_ATTEMPTS + 1):
            level = 0 if passed else 1 if tries >= REQUIRED_ATTEMPTS else 2 if tries >= fit else 3
            table.append(str(level))
    return "".join(table)


LEVEL_TABLE = _level_table()


def _weeks_at_least(today: dt.date, weeks: int) -> Q:
    """On Person: at least ``weeks`` whole weeks from ``today`` to the term end."""
    return Q(term_end__gte=today + dt.timedelta(days=7 * weeks))


def with_route_status(queryset: QuerySet[Person], today: dt.date) -> QuerySet[Person]:
    """``queryset`` annotated with ``route_status`` (a ``RouteStatus`` value): the same answer as
    ``routes(person, today).status`` (the tests compare both on every boundary), computed in SQL so
    a whole list can be filtered and ordered by it — one correlated subquery over the person's exam
    rows per person, evaluated once (no join, no GROUP BY on the outer query).

    How: per exam row a *level* — 0 passed or exempted; open with 4+ attempts 1; open with the
    attempts still needed fitting in the weeks left (one per ``WEEKS_PER_ATTEMPT`` weeks) 2; else 3
    — and the person's highest level and whether all six components have a row (a missing one is
    open with 0 attempts, so it needs 16 weeks). With three facts on the person's own columns (no
    hours left; the hours left fit at ``HOURS_PER_WEEK`` a week; 16 weeks or more left) that makes a
    key 0–63, looked up in ``STATUS_TABLE``. Whole weeks left are compared as dates
    (``term_end >= today + 7·w days``), the same on PostgreSQL and SQLite."""
    attempts = ExamAttempt.objects.filter(exam=OuterRef("pk"))
    # One look at an exam row's attempts: attempts (capped at 4) × 2 + 1 when one passed (0–9).
    attempt_code = Coalesce(
        Subquery(
            attempts.order_by()
            .values("exam")
            .annotate(
                c=Least(Count("pk"), Value(REQUIRED_ATTEMPTS)) * Value(2)
                + Max(Case(When(result=AttemptResult.PASSED, then=Value(1)), default=Value(0)))
            )
            .values("c"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    # Attempts an open row must have for the attempts still needed to fit in the weeks left:
    # 4 × (4 − tries) ≤ weeks ⇔ tries ≥ 4 − ⌊weeks / 4⌋ (0–4).
    fit_tries = Case(
        *[
            When(_weeks_at_least(today, WEEKS_PER_ATTEMPT * k), then=Value(REQUIRED_ATTEMPTS - k))
            for k in range(REQUIRED_ATTEMPTS, 0, -1)
        ],
        default=Value(REQUIRED_ATTEMPTS),
    )
    level = Case(
        When(exempted=True, then=Value(0)),
        default=Cast(
            Substr(
                Value(LEVEL_TABLE),
                Cast(attempt_code * Value(5) + OuterRef("route_fit_tries") + Value(1), output_field=IntegerField()),
                Value(1),
            ),
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )
    exam_key = (
        Exam.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(
            key=Max(level) * Value(16)
            + Case(When(GreaterThanOrEqual(Count("pk"), len(COMPONENTS)), then=Value(8)), default=Value(0))
        )
        .values("key")
    )
    hours_left = Greatest(Value(REQUIRED_HOURS) - F("lesson_hours_integration") - F("lesson_hours_literacy"), Value(0))
    max_weeks = -(-REQUIRED_HOURS // HOURS_PER_WEEK)  # 50: the hours never need more weeks
    weeks_left = Case(
        *[When(_weeks_at_least(today, w), then=Value(w)) for w in range(max_weeks, 0, -1)],
        default=Value(0),
        output_field=IntegerField(),
    )
    person_key = (
        Case(When(LessThanOrEqual(hours_left, 0), then=Value(4)), default=Value(0))
        + Case(When(LessThanOrEqual(hours_left, weeks_left * Value(HOURS_PER_WEEK)), then=Value(2)), default=Value(0))
        + Case(When(_weeks_at_least(today, REQUIRED_ATTEMPTS * WEEKS_PER_ATTEMPT), then=Value(1)), default=Value(0))
    )
    key = Coalesce(Subquery(exam_key, output_field=IntegerField()), Value(0)) + person_key
    return queryset.alias(route_fit_tries=fit_tries).annotate(
        route_status=Cast(Substr(Value(STATUS_TABLE), key + Value(1), Value(1)), output_field=IntegerField())
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
    """The Routewijzer of a person loaded through ``with_routes`` (no query)."""
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
