"""Figures for DUO (issue 15 points 2 and 3): the what-if of a criteria draft per municipality, the
cohorts of the letters with their outcomes, and the "< 10" suppression (DOMAIN.md "Figures for DUO
and municipalities", docs/figures.md)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elip.constants import PolicyStatus
from elip.figures import (
    COMPARISON,
    LETTER,
    SMALL,
    Outcome,
    cohort_table,
    letter_cohorts,
    month_complete,
    municipality_table,
    national_for_municipality,
    policy_what_if,
    suppress,
)
from elip.models import ComparisonEntry, PolicyVersion
from elip.selectors import elip_candidates
from elip.services.registry import person_update, term_extension_add
from pib.constants import ObligationStatus
from pib.models import Municipality
from tests.elip.factories import SelectionRunFactory, enrol
from tests.letters.factories import LetterFactory
from tests.pib.factories import PersonFactory, municipality

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
AMS = ZoneInfo("Europe/Amsterdam")
AMSTERDAM, GRONINGEN, UTRECHT, ROTTERDAM = "GM0363", "GM0014", "GM0344", "GM0599"


def draft(**fields):
    values = {"valid_from": dt.date(2025, 4, 1), "months_before_term_end": 0,
              "term_rule_percentage": Decimal("95.00"), "loan_rule_percentage": Decimal("95.00")}  # fmt: skip
    return PolicyVersion.objects.create(status=PolicyStatus.DRAFT, **{**values, **fields})


# --- what-if -------------------------------------------------------------------------------------


def test_what_if_counts_per_municipality_now_and_under_the_draft():
    enrol(AMSTERDAM)
    # first run under the draft: Wednesday 2025-04-02; horizon of the 12-month rule: 2026-04-02
    PersonFactory(code=AMSTERDAM, term_end=dt.date(2025, 12, 1), loan_used=Decimal("8000"))  # now only
    PersonFactory(code=AMSTERDAM, term_end=dt.date(2028, 1, 1), loan_used=Decimal("9600"))  # both
    lettered = PersonFactory(code=AMSTERDAM, term_end=dt.date(2028, 1, 1), loan_used=Decimal("9700"))
    LetterFactory(person=lettered)
    PersonFactory(code=GRONINGEN, term_end=dt.date(2025, 12, 1), loan_used=Decimal("7500"))  # now only, exactly 75%
    PersonFactory(
        code=GRONINGEN, term_end=dt.date(2025, 12, 1), loan_used=Decimal("9000"), obligation_status=ObligationStatus.MET
    )  # fmt: skip - never

    what_if = policy_what_if(draft())

    assert what_if.on_date == dt.date(2025, 4, 2)
    rows = {r.code: r for r in what_if.rows}
    assert len(rows) == Municipality.objects.count()  # every municipality, also those without persons
    a, g = rows[AMSTERDAM], rows[GRONINGEN]
    assert (a.selected_now, a.selected_draft, a.new_letters_now, a.new_letters_draft) == (3, 2, 2, 1)
    assert (g.selected_now, g.selected_draft, g.new_letters_now, g.new_letters_draft) == (1, 0, 1, 0)
    assert (a.enrolled, g.enrolled) == (True, False)
    assert what_if.totals["letters_draft"] == 1  # letters go to enrolled municipalities only
    assert [r.code for r in what_if.most_affected()] == [AMSTERDAM]


def test_what_if_agrees_with_the_selection_on_a_generated_population():
    from elip.demo.population import build_population

    build_population(persons=400, seed=11, today=dt.date(2025, 3, 6))
    version = draft(months_before_term_end=3, term_rule_percentage=Decimal("80.00"), loan_rule_percentage=None)
    what_if = policy_what_if(version)
    assert what_if.totals["selected_now"] == elip_candidates(what_if.on_date, what_if.current).count()
    assert what_if.totals["selected_draft"] == elip_candidates(what_if.on_date, version).count()
    assert what_if.totals["selected_now"] != what_if.totals["selected_draft"]


def selects(captured) -> int:
    """The reads among the captured queries (not the savepoint and SET LOCAL around a figure's query)."""
    return sum(1 for q in captured if q["sql"].lstrip().upper().startswith(("SELECT", "WITH")))


def test_what_if_is_a_fixed_number_of_queries_whatever_the_population():
    for code in (AMSTERDAM, GRONINGEN, UTRECHT, ROTTERDAM):
        PersonFactory(code=code, term_end=dt.date(2025, 12, 1), loan_used=Decimal("8000"))
    with CaptureQueriesContext(connection) as captured:
        policy_what_if(draft())
    # next run date, policy in force, the one grouped query, enrolments, municipalities
    assert selects(captured.captured_queries) == 5


# --- cohorts -------------------------------------------------------------------------------------


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12, 0), tzinfo=AMS), tick=False)


def lettered(code=AMSTERDAM, on=dt.date(2024, 1, 10), term_end=dt.date(2024, 9, 1)):
    person = PersonFactory(code=code, term_end=term_end)
    LetterFactory(person=person, letter_date=on, municipality=person.municipality)
    return person


def outcomes(figures, horizon, group=LETTER, code=None):
    mid = municipality(code).pk if code else None
    total = figures.total(group=group, month_from=dt.date(2000, 1, 1), month_to=dt.date(2100, 1, 1),
                          municipality_id=mid)  # fmt: skip
    return {o: n for o, n in total.outcomes[horizon].items() if n}


def test_outcome_follows_the_registry_history_after_the_letter():
    met = lettered()
    with at(dt.date(2024, 5, 20)):  # 4 months and 10 days after the letter
        person_update(person=met, obligation_status=ObligationStatus.MET)
    exempted = lettered()
    with at(dt.date(2024, 2, 1)):
        person_update(person=exempted, obligation_status=ObligationStatus.RELEASED)
    extended = lettered()
    with at(dt.date(2024, 6, 1)):
        term_extension_add(person=extended, kind="Ziekte", new_end=dt.date(2025, 9, 1), granted_on=dt.date(2024, 6, 1))
    lettered()  # nothing happens: obliged until the term end of 1 September 2024, then overdue
    ended = lettered()
    with at(dt.date(2024, 11, 1)):
        person_update(person=ended, obligation_status=ObligationStatus.ENDED)

    figures = letter_cohorts()
    assert outcomes(figures, 3) == {Outcome.EXEMPTED: 1, Outcome.OBLIGED: 4}
    assert outcomes(figures, 6) == {Outcome.MET: 1, Outcome.EXEMPTED: 1, Outcome.EXTENDED: 1, Outcome.OBLIGED: 2}
    assert outcomes(figures, 12) == {
        Outcome.MET: 1,
        Outcome.EXEMPTED: 1,
        Outcome.EXTENDED: 1,
        Outcome.OVERDUE: 1,
        Outcome.ENDED: 1,
    }


def test_a_change_before_the_letter_does_not_count_and_the_horizon_is_inclusive():
    person = lettered(on=dt.date(2024, 1, 31))
    with at(dt.date(2024, 4, 30)):  # exactly 3 months after 31 January (clamped): inside the horizon
        person_update(person=person, obligation_status=ObligationStatus.MET)
    assert outcomes(letter_cohorts(), 3) == {Outcome.MET: 1}
    later = lettered(on=dt.date(2024, 1, 31), code=GRONINGEN)
    with at(dt.date(2024, 5, 1)):
        person_update(person=later, obligation_status=ObligationStatus.MET)
    assert outcomes(letter_cohorts(), 3, code=GRONINGEN) == {Outcome.OBLIGED: 1}


def test_comparison_group_is_counted_apart_and_leaves_it_once_lettered():
    run = SelectionRunFactory(run_date=dt.date(2024, 1, 10))
    kept = PersonFactory(code=UTRECHT, term_end=dt.date(2026, 1, 1))
    ComparisonEntry.objects.create(person=kept, municipality=kept.municipality, run=run, selected_on=run.run_date)
    moved = PersonFactory(code=UTRECHT, term_end=dt.date(2026, 1, 1))
    ComparisonEntry.objects.create(person=moved, municipality=moved.municipality, run=run, selected_on=run.run_date)
    LetterFactory(person=moved, letter_date=dt.date(2024, 6, 5))
    figures = letter_cohorts()
    assert outcomes(figures, 6, group=COMPARISON) == {Outcome.OBLIGED: 1}
    assert outcomes(figures, 6, group=LETTER) == {Outcome.OBLIGED: 1}


def test_cohort_figures_are_one_query():
    for _ in range(3):
        lettered()
    with CaptureQueriesContext(connection) as captured:
        letter_cohorts()
    assert selects(captured.captured_queries) == 1


def test_the_weekly_run_records_the_comparison_group_once():
    from elip.services.weekly_run import weekly_run

    enrol(AMSTERDAM)
    PersonFactory(code=AMSTERDAM, term_end=dt.date(2025, 12, 1), loan_used=Decimal("8000"))
    outside = PersonFactory(code=UTRECHT, term_end=dt.date(2025, 12, 1), loan_used=Decimal("8000"))
    weekly_run(run_date=dt.date(2025, 3, 5))
    weekly_run(run_date=dt.date(2025, 3, 12))
    entry = ComparisonEntry.objects.get()
    assert (entry.person, entry.selected_on) == (outside, dt.date(2025, 3, 5))


def test_a_month_is_shown_only_once_every_letter_of_it_reached_the_horizon():
    assert month_complete(dt.date(2024, 11, 1), 3, dt.date(2025, 3, 6))  # 30-11 + 3 = 28-02 < 06-03
    assert not month_complete(dt.date(2024, 12, 1), 3, dt.date(2025, 3, 6))  # 31-12 + 3 = 31-03


# --- suppression ---------------------------------------------------------------------------------


def test_a_cohort_of_fewer_than_10_shows_no_number_and_no_share():
    for _ in range(SMALL - 1):
        lettered()
    (row,) = cohort_table(letter_cohorts(), group=LETTER, horizon=6)
    assert row.members.hidden
    assert all(cell.hidden and cell.share is None for cell in row.cells)


def test_a_small_outcome_hides_its_share_and_one_more_cell_so_it_cannot_be_subtracted():
    people = [lettered() for _ in range(25)]
    for person in people[:4]:
        with at(dt.date(2024, 3, 1)):
            person_update(person=person, obligation_status=ObligationStatus.MET)
    (row,) = cohort_table(letter_cohorts(), group=LETTER, horizon=6)
    assert row.members.value == 25
    cells = dict(zip(Outcome.ORDER, row.cells, strict=True))
    assert cells[Outcome.MET].hidden and cells[Outcome.MET].share is None
    # 21 still obliged would give 25 - 21 = 4 met: it is hidden too (complementary suppression)
    assert all(cell.hidden for cell in row.cells)


def test_suppress_hides_a_second_cell_in_every_row_and_column_with_a_shown_total():
    rows = [[30, 3, 40], [20, 25, 50], [12, 30, 11]]
    hidden = suppress(rows, [62, 58, 101], row_totals=[73, 95, 53])
    for r, row in enumerate(hidden):
        assert row.count(True) != 1, f"row {r}"
    for c in range(3):
        assert [row[c] for row in hidden].count(True) != 1, f"column {c}"
    assert hidden[0][1]  # the primary cell


def test_municipality_table_cannot_be_backed_out_of_the_national_row():
    for _ in range(30):
        lettered(code=AMSTERDAM)
    for _ in range(12):
        lettered(code=ROTTERDAM)
    small = [lettered(code=GRONINGEN) for _ in range(4)]
    for person in small:
        with at(dt.date(2024, 3, 1)):
            person_update(person=person, obligation_status=ObligationStatus.MET)
    rows, national = municipality_table(
        letter_cohorts(), group=LETTER, horizon=6, month_from=dt.date(2024, 1, 1), month_to=dt.date(2024, 12, 1)
    )
    by_name = {r.label: r for r in rows}
    assert by_name["Groningen"].members.hidden
    assert national.members.value == 46
    # national 46 - Amsterdam 30 = 16 would reveal Groningen's 4 next to a shown Rotterdam 12
    assert by_name["Rotterdam"].members.hidden
    met = Outcome.ORDER.index(Outcome.MET)
    assert national.cells[met].hidden  # only 4 met nationally


def test_national_figures_beside_a_municipality_hide_what_subtraction_would_reveal():
    for _ in range(12):
        lettered(code=GRONINGEN)
    for _ in range(12):
        lettered(code=AMSTERDAM)
    figures = letter_cohorts()
    groningen = municipality(GRONINGEN).pk
    # one other municipality only: national - own = Amsterdam's exact figures
    (row,) = national_for_municipality(figures, group=LETTER, horizon=6, municipality_id=groningen)
    assert row.members.hidden and not row.cells
    for _ in range(12):
        lettered(code=ROTTERDAM)
    (row,) = national_for_municipality(letter_cohorts(), group=LETTER, horizon=6, municipality_id=groningen)
    assert row.members.value == 36
    assert all(cell.hidden == (cell.value is None) for cell in row.cells)
