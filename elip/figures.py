"""Aggregate figures for DUO and municipalities (issue 15, DOMAIN.md "Figures for DUO and
municipalities", rules and definitions in docs/figures.md): the effect of a criteria draft per
municipality (the what-if) and the effect of the letters per cohort.

Guarantees and what enforces them:

* Set-based: each figure is **one** SQL query over all persons, grouped in the database — the
  per-person part (loan usage, registry events after the letter) is a CTE computed once per person
  (``MATERIALIZED`` on PostgreSQL, so a correlated subquery is never evaluated twice), the outer query
  counts per municipality (what-if) or per group, municipality and letter month (cohorts). No loop
  over municipalities or persons issues queries; the benchmark counts them (tests/bench/bench_policy.py).
* Aggregates only: nothing here returns a person, a BSN or a name; the cohort figures a screen shows
  pass through ``suppress`` ("< 10" for any count or share based on fewer than 10 persons, with
  complementary suppression so no hidden cell can be recovered by subtracting shown figures from a
  shown total — see docs/figures.md for what is and is not covered).
* The same rules as the selection: the what-if uses ``selectors.policy_thresholds`` — the very
  boundaries ``elip_candidates`` applies (exact integer comparison in cents and basis points).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from letters.models import Letter
from pib.charts import Series, line_chart
from pib.constants import InvoiceStatus, Law, ObligationStatus
from pib.dates import add_months
from pib.models import Invoice, Loan, Municipality, Person, TermExtension

from .constants import EnrolmentStatus, PolicyStatus
from .models import ComparisonEntry, ElipEnrolment, PolicyVersion
from .selectors import active_policy, next_dispatch_date, policy_thresholds

SMALL = 10  # a count or share based on fewer persons is shown as "< 10"
HORIZONS = (3, 6, 12)  # months after the letter


def _grouped(inner: QuerySet, select_sql: str, group_by: str, params=()) -> list[tuple]:
    """``SELECT select_sql FROM (inner) GROUP BY group_by`` — the per-person query of the ORM as a CTE,
    computed once per row, and the counting done by the database."""
    return _grouped_sql(inner.query.sql_with_params(), select_sql, group_by, params)


def _grouped_sql(inner: tuple[str, tuple], select_sql: str, group_by: str, params=()) -> list[tuple]:
    sql, inner_params = inner
    postgres = connection.vendor == "postgresql"
    materialized = "MATERIALIZED " if postgres else ""
    query = f"WITH p AS {materialized}({sql}) SELECT {select_sql} FROM p GROUP BY {group_by}"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # PostgreSQL's JIT compiles this plan (its cost is high: one lookup per person) in more time
            # than running it takes (measured: 1.4 s of JIT for a 0.6 s query); off for this transaction.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(query, (*inner_params, *params))
        return cursor.fetchall()


# --- the what-if of a criteria draft -------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfRow:
    municipality_id: int
    code: str
    name: str
    enrolled: bool
    selected_now: int  # selected on the reference date under the criteria in force
    selected_draft: int  # … under the draft
    new_letters_now: int  # selected and never had a letter (what a run would letter, if enrolled)
    new_letters_draft: int

    @property
    def change(self) -> int:
        return self.selected_draft - self.selected_now

    @property
    def change_letters(self) -> int:
        return self.new_letters_draft - self.new_letters_now


@dataclass
class WhatIf:
    draft: PolicyVersion
    current: PolicyVersion
    on_date: dt.date  # the first run under the draft
    rows: list[WhatIfRow]
    totals: dict = field(default_factory=dict)

    def most_affected(self, n: int = 10) -> list[WhatIfRow]:
        """The enrolled municipalities whose selection changes most (largest absolute change)."""
        enrolled = [r for r in self.rows if r.enrolled and r.change]
        return sorted(enrolled, key=lambda r: (-abs(r.change), r.name))[:n]


def first_run_under(version: PolicyVersion, today: dt.date | None = None) -> dt.date:
    """The first weekly run on or after the version's ``valid_from`` (and not before today)."""
    today = today or timezone.localdate()
    return next_dispatch_date(max(version.valid_from, today))


# The selection rule of ``elip_candidates`` on the CTE's columns, with the 3 parameters of
# ``policy_thresholds``: horizon date, basis points required inside it, outside it (NULL: never).
SELECTED_SQL = "p.used * 10000 >= (CASE WHEN p.term <= %s THEN %s ELSE %s END) * p.lim"


WHAT_IF_PERSONS = """
SELECT pe.municipality_id AS mid, pe.term_end AS term, CAST(ROUND(l."limit" * 100) AS BIGINT) AS lim,
       COALESCE(paid.used, 0) AS used, (x.id IS NOT NULL) AS seen
FROM {person} pe
JOIN {loan} l ON l.person_id = pe.id
LEFT JOIN (SELECT i.person_id AS pid, SUM(CAST(ROUND(i.total_amount * 100) AS BIGINT)) AS used
           FROM {invoice} i WHERE i.status = %s GROUP BY i.person_id) paid ON paid.pid = pe.id
LEFT JOIN {letter} x ON x.person_id = pe.id
WHERE pe.law = %s AND pe.obligation_status = %s AND CAST(ROUND(l."limit" * 100) AS BIGINT) > 0
"""


def _what_if_persons_sql() -> tuple[str, tuple]:
    """One row per Wi2013 obliged person with a loan: municipality, term end, limit and paid amount in
    cents (exactly as ``pib.selectors.persons_with_loan_usage``: each invoice rounded to cents, then
    summed), and whether the person had a letter. The paid sums come from one aggregate over the paid
    invoices joined in (PostgreSQL runs it in parallel), not from a lookup per person; the result is
    tested equal to ``elip_candidates`` under both versions."""
    tables = {name: connection.ops.quote_name(m._meta.db_table) for name, m in
              (("person", Person), ("loan", Loan), ("invoice", Invoice), ("letter", Letter))}  # fmt: skip
    sql = WHAT_IF_PERSONS.format(**tables)
    return sql, (InvoiceStatus.PAID, Law.WI2013, ObligationStatus.OBLIGED)


def policy_what_if(draft: PolicyVersion, today: dt.date | None = None) -> WhatIf:
    """The effect of ``draft`` per municipality, on the registry as it is today, at the date of its
    first run (docs/figures.md "What-if"): persons selected under the criteria in force then and
    under the draft, and the letters the first run would send (selected, never had a letter;
    letters go to enrolled municipalities only). One grouped query over all persons, plus the
    municipality list and the enrolments."""
    on_date = first_run_under(draft, today)
    current = active_policy(on_date)
    now_rule = draft_rule = SELECTED_SQL
    select = (
        f"p.mid, SUM(CASE WHEN {now_rule} THEN 1 ELSE 0 END), SUM(CASE WHEN {draft_rule} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN NOT p.seen AND {now_rule} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN NOT p.seen AND {draft_rule} THEN 1 ELSE 0 END)"
    )
    now_params = policy_thresholds(current, on_date)
    draft_params = policy_thresholds(draft, on_date)
    counts = {
        mid: tuple(int(v or 0) for v in values)
        for mid, *values in _grouped_sql(_what_if_persons_sql(), select, "p.mid", (*now_params, *draft_params) * 2)
    }
    enrolled = set(
        ElipEnrolment.objects.filter(status=EnrolmentStatus.ENROLLED).values_list("municipality_id", flat=True)
    )
    rows = [
        WhatIfRow(mid, code, name, mid in enrolled, *counts.get(mid, (0, 0, 0, 0)))
        for mid, code, name in Municipality.objects.order_by("name").values_list("pk", "code", "name")
    ]
    totals = {
        "selected_now": sum(r.selected_now for r in rows),
        "selected_draft": sum(r.selected_draft for r in rows),
        "letters_now": sum(r.new_letters_now for r in rows if r.enrolled),
        "letters_draft": sum(r.new_letters_draft for r in rows if r.enrolled),
        "municipalities_changed": sum(1 for r in rows if r.change),
        "enrolled_changed": sum(1 for r in rows if r.change and r.enrolled),
    }
    return WhatIf(draft=draft, current=current, on_date=on_date, rows=rows, totals=totals)


def drafts() -> QuerySet[PolicyVersion]:
    """The criteria drafts waiting for approval, earliest date first."""
    return PolicyVersion.objects.filter(status=PolicyStatus.DRAFT).select_related("drafted_by").order_by("valid_from")


# --- the effect of the letters: cohorts ---------------------------------------------------------


class Outcome:
    """Where a cohort member stands h months after the letter (docs/figures.md "Outcomes"); each
    member is in exactly one, in this order of precedence."""

    MET = "voldaan"
    EXEMPTED = "ontheffing"
    ENDED = "beeindigd"
    EXTENDED = "verlengd"
    OVERDUE = "termijn_verstreken"
    OBLIGED = "nog_plichtig"

    ORDER = (MET, EXEMPTED, EXTENDED, OBLIGED, OVERDUE, ENDED)
    LABELS = {
        MET: "Voldaan",
        EXEMPTED: "Ontheffing of vrijstelling",
        EXTENDED: "Verlenging gekregen",
        OBLIGED: "Nog inburgeringsplichtig",
        OVERDUE: "Termijn verstreken",
        ENDED: "Anders beëindigd",
    }


LETTER, COMPARISON = "brief", "vergelijking"
GROUP_LABELS = {
    LETTER: "Met brief (aangemelde gemeenten)",
    COMPARISON: "Zonder brief (niet-aangemelde gemeenten)",
}


class AddMonths(Func):
    """``date + n calendar months``, the day clamped to the month's end, like ``pib.dates.add_months``
    (PostgreSQL's interval arithmetic clamps; SQLite's does not, so it takes the lesser of the plain
    step and the last day of the target month)."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        super().__init__(expression)
        self.months = int(months)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => {self.months}))::date", params

    def as_sql(self, compiler, connection, **extra):  # SQLite
        sql, params = compiler.compile(self.source_expressions[0])
        m = self.months
        return (
            f"MIN(date({sql}, '+{m} months'), date({sql}, 'start of month', '+{m + 1} months', '-1 day'))",
            [*params, *params],
        )


def _member_rows(model_qs: QuerySet, *, group: str, person: str, start: str, municipality: str) -> QuerySet:
    """Per cohort member: group, municipality, cohort month, and the registry events after the start
    date that decide the outcome — the first change of the obligation away from 'inburgeringsplichtig'
    (date and status, from the registry history), the first term extension granted after the start
    and the term end at the start."""
    person_ref, start_ref = OuterRef(person), OuterRef(start)
    history = Person.history.model.objects.filter(id=person_ref).exclude(obligation_status=ObligationStatus.OBLIGED)
    history = history.annotate(day=TruncDate("history_date")).filter(day__gt=start_ref).order_by("history_date")
    extensions = TermExtension.objects.filter(person_id=person_ref, granted_on__gt=start_ref).order_by(
        "granted_on", "pk"
    )
    columns = {
        "g": Value(group, output_field=CharField()),
        "mid": F(municipality),
        "cohort": TruncMonth(start, output_field=DateField()),
        "end_on": Subquery(history.values("day")[:1], output_field=DateField()),
        "end_status": Subquery(history.values("obligation_status")[:1], output_field=CharField()),
        "ext_on": Subquery(extensions.values("granted_on")[:1], output_field=DateField()),
        # a lookup by primary key, not a join: a join made PostgreSQL hash all 250,000 persons per branch
        "term_end0": Coalesce(
            Subquery(extensions.values("previous_end")[:1], output_field=DateField()),
            Subquery(Person.objects.filter(pk=person_ref).values("term_end")[:1], output_field=DateField()),
        ),
        **{f"t{h}": AddMonths(F(start), h) for h in HORIZONS},
    }
    return (
        model_qs.annotate(**{f"x_{k}": v for k, v in columns.items()}).values(*[f"x_{k}" for k in columns]).order_by()
    )


def _outcome_sql(h: int) -> list[str]:
    """One SUM per outcome at horizon h, in ``Outcome.ORDER`` (the last, OBLIGED, is what remains)."""
    t = f"p.x_t{h}"
    ended = f"(p.x_end_on IS NOT NULL AND p.x_end_on <= {t})"
    open_ = f"(p.x_end_on IS NULL OR p.x_end_on > {t})"
    extended = f"(p.x_ext_on IS NOT NULL AND p.x_ext_on <= {t})"
    conditions = {
        Outcome.MET: f"{ended} AND p.x_end_status = '{ObligationStatus.MET}'",
        Outcome.EXEMPTED: (
            f"{ended} AND p.x_end_status IN ('{ObligationStatus.EXEMPTED}', '{ObligationStatus.RELEASED}')"
        ),
        Outcome.ENDED: f"{ended} AND p.x_end_status = '{ObligationStatus.ENDED}'",
        Outcome.EXTENDED: f"{open_} AND {extended}",
        Outcome.OVERDUE: f"{open_} AND NOT {extended} AND p.x_term_end0 < {t}",
    }
    return [f"SUM(CASE WHEN {conditions[o]} THEN 1 ELSE 0 END)" for o in Outcome.ORDER if o != Outcome.OBLIGED]


@dataclass
class Counts:
    """Members of one cell and, per horizon, how many are in each outcome."""

    n: int = 0
    outcomes: dict = field(default_factory=lambda: {h: dict.fromkeys(Outcome.ORDER, 0) for h in HORIZONS})

    def add(self, other: "Counts") -> None:
        self.n += other.n
        for h in HORIZONS:
            for o in Outcome.ORDER:
                self.outcomes[h][o] += other.outcomes[h][o]


@dataclass
class CohortFigures:
    """Raw counts per (group, municipality id, cohort month); ``today`` decides which cohorts are
    complete at a horizon. Never shown as such: screens take ``suppress``-ed tables from it."""

    today: dt.date
    cells: dict  # (group, municipality_id, month date) -> Counts

    def months(self) -> list[dt.date]:
        return sorted({month for _g, _m, month in self.cells})

    def total(self, *, group: str, month_from: dt.date, month_to: dt.date, municipality_id=None) -> Counts:
        total = Counts()
        for (g, mid, month), counts in self.cells.items():
            if g == group and month_from <= month <= month_to and municipality_id in (None, mid):
                total.add(counts)
        return total

    def municipalities(self, group: str) -> set[int]:
        return {mid for g, mid, _m in self.cells if g == group}

    def contributors(self, *, group: str, month_from: dt.date, month_to: dt.date) -> set[int]:
        return {mid for (g, mid, m), c in self.cells.items() if g == group and month_from <= m <= month_to and c.n}


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def letter_cohorts(today: dt.date | None = None) -> CohortFigures:
    """Every cohort member's outcome at 3, 6 and 12 months, counted per group (letter or comparison),
    municipality and month of the letter (or of the selection, for the comparison group), in one
    grouped query (docs/figures.md)."""
    today = today or timezone.localdate()
    letters = _member_rows(
        Letter.objects.all(), group=LETTER, person="person", start="letter_date", municipality="municipality_id"
    )
    comparison = _member_rows(
        ComparisonEntry.objects.filter(~Exists(Letter.objects.filter(person_id=OuterRef("person_id")))),
        group=COMPARISON,
        person="person",
        start="selected_on",
        municipality="municipality_id",
    )
    inner = letters.union(comparison, all=True)
    select = ", ".join(["p.x_g", "p.x_mid", "p.x_cohort", "COUNT(*)"] + [s for h in HORIZONS for s in _outcome_sql(h)])
    cells = {}
    for g, mid, month, n, *sums in _grouped(inner, select, "p.x_g, p.x_mid, p.x_cohort"):
        counts = Counts(n=int(n))
        per = len(Outcome.ORDER) - 1
        for i, h in enumerate(HORIZONS):
            values = [int(v or 0) for v in sums[i * per : (i + 1) * per]]
            named = dict(zip([o for o in Outcome.ORDER if o != Outcome.OBLIGED], values, strict=True))
            named[Outcome.OBLIGED] = counts.n - sum(values)
            counts.outcomes[h] = {o: named[o] for o in Outcome.ORDER}
        cells[(g, mid, _as_date(month))] = counts
    return CohortFigures(today=today, cells=cells)


PERIODS = {"maand": 1, "kwartaal": 3}


def periods(figures: CohortFigures, size: int = 1) -> list[tuple[dt.date, dt.date]]:
    """The cohort periods with members, oldest first, as (first month, last month): calendar months
    (``size`` 1) or calendar quarters (3). Fixed periods, so a shown figure stays as it is."""
    starts = sorted({m.replace(month=(m.month - 1) // size * size + 1) for m in figures.months()})
    return [(start, add_months(start, size - 1)) for start in starts]


def period_label(start: dt.date, size: int) -> str:
    if size == 3:
        return f"{(start.month - 1) // 3 + 1}e kwartaal {start.year}"
    return _month_label(start)


def month_complete(month: dt.date, horizon: int, today: dt.date) -> bool:
    """A cohort month is shown at a horizon only once *every* member has reached it (the month's last
    day + h months is past), so a figure, once shown, never changes as time passes — comparing this
    month's screen with last month's reveals nothing (docs/figures.md)."""
    last_day = add_months(month, 1) - dt.timedelta(days=1)
    return add_months(last_day, horizon) < today


# --- suppression ---------------------------------------------------------------------------------


@dataclass
class Shown:
    """One cell of a figure table: ``value`` is None when suppressed (shown as "< 10")."""

    value: int | None
    share: float | None = None  # percentage of the row's total, None when suppressed

    @property
    def hidden(self) -> bool:
        return self.value is None


def suppress(
    rows: list[list[int]],
    totals: list[int] | None,
    *,
    row_totals: list[int],
    hidden: list[list[bool]] | None = None,
) -> list[list[bool]]:
    """Which cells to hide (True) in a table of counts whose rows add up to ``row_totals`` (the outcomes
    of a cohort add up to its members) and whose columns add up to ``totals`` (a national row) when
    given; ``hidden`` marks cells to hide from the start.

    Primary: every cell below ``SMALL`` (0 included), and every cell of a row whose total is below it.
    Complementary: in any row or column whose total is shown, what is hidden can be recovered as the
    total minus the shown cells; so while such a line has exactly one hidden cell, or hidden cells
    that add up to fewer than ``SMALL`` persons, its smallest shown cell is hidden too."""
    width = len(rows[0]) if rows else 0
    hidden = [
        [(hidden[r][c] if hidden else False) or value < SMALL or row_totals[r] < SMALL for c, value in enumerate(row)]
        for r, row in enumerate(rows)
    ]
    lines = [[(r, c) for c in range(width)] for r in range(len(rows)) if row_totals[r] >= SMALL]
    if totals is not None:
        lines += [[(r, c) for r in range(len(rows))] for c in range(width) if totals[c] >= SMALL]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_here = [(r, c) for r, c in line if hidden[r][c]]
            shown_here = [(r, c) for r, c in line if not hidden[r][c]]
            if not hidden_here or not shown_here:
                continue
            if len(hidden_here) == 1 or sum(rows[r][c] for r, c in hidden_here) < SMALL:
                r, c = min(shown_here, key=lambda rc: (rows[rc[0]][rc[1]], rc))
                hidden[r][c] = True
                changed = True
    return hidden


def shown_row(counts: list[int], total: int, hidden: list[bool]) -> list[Shown]:
    return [
        Shown(None) if h else Shown(v, round(100 * v / total, 1) if total else None)
        for v, h in zip(counts, hidden, strict=True)
    ]


@dataclass
class FigureRow:
    label: str
    key: str  # sortable value (e.g. the month as ISO text, or the municipality name)
    members: Shown
    cells: list[Shown]
    complete: bool = True


def cohort_table(
    figures: CohortFigures, *, group: str, horizon: int, municipality_id=None, size: int = 1
) -> list[FigureRow]:
    """One row per cohort period (oldest first; months, or quarters with ``size`` 3) of ``group``
    (optionally one municipality's): members and the outcome shares at ``horizon``, suppressed.
    Periods not complete at the horizon have no outcomes yet (``complete`` False)."""
    rows = []
    for start, end in periods(figures, size):
        counts = figures.total(group=group, month_from=start, month_to=end, municipality_id=municipality_id)
        if not counts.n:
            continue
        complete = month_complete(end, horizon, figures.today)
        values = [counts.outcomes[horizon][o] for o in Outcome.ORDER]
        hidden = suppress([values], None, row_totals=[counts.n])[0]
        members = Shown(counts.n if counts.n >= SMALL else None)
        cells = shown_row(values, counts.n, hidden) if complete else []
        rows.append(FigureRow(period_label(start, size), start.isoformat(), members, cells, complete))
    return rows


def municipality_table(
    figures: CohortFigures, *, group: str, horizon: int, month_from: dt.date, month_to: dt.date
) -> tuple[list[FigureRow], FigureRow]:
    """Per municipality of ``group``: the complete cohorts between ``month_from`` and ``month_to``
    added up, with a national row; complementary suppression across municipalities too, so the
    national row minus the shown municipalities never gives a hidden cell."""
    names = dict(Municipality.objects.values_list("pk", "name"))
    months = [m for m in figures.months() if month_from <= m <= month_to and month_complete(m, horizon, figures.today)]
    if not months:
        return [], FigureRow("Landelijk", "", Shown(None), [])
    start, end = months[0], months[-1]
    per = {}
    for mid in figures.municipalities(group):
        counts = figures.total(group=group, month_from=start, month_to=end, municipality_id=mid)
        if counts.n:
            per[mid] = counts
    national = figures.total(group=group, month_from=start, month_to=end)
    ids = sorted(per, key=lambda mid: names.get(mid, ""))
    members = [per[mid].n for mid in ids]
    # The members column against the national number of members first; a row whose members are
    # hidden shows no outcome either (its shares would give the number back).
    members_hidden = [h for (h,) in suppress([[n] for n in members], [national.n], row_totals=members)]
    matrix = [[per[mid].outcomes[horizon][o] for o in Outcome.ORDER] for mid in ids]
    totals = [national.outcomes[horizon][o] for o in Outcome.ORDER]
    row_totals = [0 if h else n for n, h in zip(members, members_hidden, strict=True)]
    hidden = suppress(matrix, totals, row_totals=row_totals) if matrix else []
    rows = [
        FigureRow(names.get(mid, ""), names.get(mid, ""), Shown(None if mh else n), shown_row(values, n, h))
        for mid, n, mh, values, h in zip(ids, members, members_hidden, matrix, hidden, strict=True)
    ]
    national_row = FigureRow(
        "Landelijk",
        "",
        Shown(national.n if national.n >= SMALL else None),
        shown_row(totals, national.n, suppress([totals], None, row_totals=[national.n])[0]),
    )
    return rows, national_row


def national_for_municipality(
    figures: CohortFigures, *, group: str, horizon: int, municipality_id: int, size: int = 1
) -> list[FigureRow]:
    """The national rows a municipality sees beside its own (portal), for the periods in which it has
    letters: a period's national figures are shown only when at least two *other* municipalities
    contributed and the rest of the country (national minus this municipality) has at least ``SMALL``
    members, and a national cell only when the rest-of-country cell is at least ``SMALL`` — so
    subtracting its own figures from the national ones never tells a municipality anything about
    fewer than 10 persons elsewhere, nor about one other municipality."""
    rows = []
    for start, end in periods(figures, size):
        own = figures.total(group=LETTER, month_from=start, month_to=end, municipality_id=municipality_id)
        if not own.n:
            continue  # the municipality compares its own cohorts
        national = figures.total(group=group, month_from=start, month_to=end)
        others = figures.contributors(group=group, month_from=start, month_to=end) - {municipality_id}
        mine = group == LETTER
        rest_n = national.n - (own.n if mine else 0)
        complete = month_complete(end, horizon, figures.today)
        values = [national.outcomes[horizon][o] for o in Outcome.ORDER]
        rest = [v - (own.outcomes[horizon][o] if mine else 0) for v, o in zip(values, Outcome.ORDER, strict=True)]
        label = period_label(start, size)
        if len(others) < 2 or rest_n < SMALL:
            rows.append(FigureRow(label, start.isoformat(), Shown(None), [], complete))
            continue
        # a national cell whose rest of the country is small is hidden, and the row completed again
        hidden = suppress([values], None, row_totals=[national.n], hidden=[[r < SMALL for r in rest]])[0]
        cells = shown_row(values, national.n, hidden) if complete else []
        rows.append(FigureRow(label, start.isoformat(), Shown(national.n), cells, complete))
    return rows


def outcome_chart_points(rows: list[FigureRow], outcome: str) -> list[tuple[str, float | None]]:
    """(period, share of ``outcome``) for a chart: only shares the table shows (a hidden or not yet
    complete cell is None, drawn as no data), so the chart never tells more than the table."""
    index = Outcome.ORDER.index(outcome)
    return [(row.label, row.cells[index].share if row.cells else None) for row in rows]


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december")  # fmt: skip


def _month_label(month: dt.date) -> str:
    return f"{MONTHS_NL[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class EffectOptions:
    """What a letter-effect screen shows, from its query string (unknown values: the defaults)."""

    horizon: int = 6
    period: str = "maand"
    outcome: str = Outcome.MET

    @property
    def size(self) -> int:
        return PERIODS[self.period]

    @classmethod
    def from_query(cls, params, *, period_default: str = "maand") -> "EffectOptions":
        """``period_default``: a municipality's own cohorts are small, so its screen groups by
        quarter unless asked otherwise (a month of a mid-sized municipality is mostly "< 10")."""
        horizon = str(params.get("na", ""))
        period = str(params.get("periode", ""))
        outcome = str(params.get("uitkomst", ""))
        return cls(
            horizon=int(horizon) if horizon in {str(h) for h in HORIZONS} else cls.horizon,
            period=period if period in PERIODS else period_default,
            outcome=outcome if outcome in Outcome.LABELS else cls.outcome,
        )


def effect_chart(series: list[tuple[str, list[FigureRow]]], options: EffectOptions, *, chart_id: str):
    """A line per group (e.g. with and without letter) of the share in ``options.outcome`` per period,
    from the suppressed tables only (pib.charts; readable without colour, numbers beside it)."""
    label = Outcome.LABELS[options.outcome].lower()
    return line_chart(
        [Series(name, outcome_chart_points(rows, options.outcome)) for name, rows in series],
        title=f"Aandeel '{label}' {options.horizon} maanden na de brief, per {options.period}",
        description=(
            f"Percentage van elk cohort dat {options.horizon} maanden na de brief in de uitkomst '{label}' is. "
            "Geen punt: minder dan 10 personen of het cohort is nog niet zo lang geleden."
        ),
        chart_id=chart_id,
        label_header="Cohort",
        value_format=lambda v: f"{v:.1f}%".replace(".", ","),
    )
