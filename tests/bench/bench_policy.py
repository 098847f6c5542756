"""Benchmark of issue 15 (policy): the what-if of a criteria draft over all 342 municipalities (target
≤ 2 s) and the letter-cohort figures (target ≤ 1 s) at national scale.

    createdb elip_policybench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_policybench
    python manage.py migrate && python manage.py seed_demo --persons 250000 --seed 1 --no-accounts
    python tests/bench/bench_policy.py [--months 24]

The first call prepares the data once: every third municipality (CBS-code order, 114 of 342) enrolled,
then ``elip.demo.history.add_letter_history`` with 24 months of weekly runs: letters for the candidates
in enrolled municipalities, a comparison group elsewhere, registry-history rows for the obligations
that ended and term extensions after the start. Then 5 repetitions each (min and median), with the
number of queries and the machine's load average (the figures are taken on a shared 2-core machine).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from elip.constants import EnrolmentStatus, PolicyStatus  # noqa: E402
from elip.demo.history import add_letter_history  # noqa: E402
from elip.figures import (  # noqa: E402
    COMPARISON,
    LETTER,
    cohort_table,
    letter_cohorts,
    municipality_table,
    periods,
    policy_what_if,
)
from elip.models import ComparisonEntry, ElipEnrolment, PolicyVersion  # noqa: E402
from letters.models import Letter  # noqa: E402
from pib.models import Municipality, Person  # noqa: E402

REPEAT = 5


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc), so a
    figure can be read apart from the shared machine's load."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, repeat=REPEAT):
    """(result, min s, median s, SELECT queries per call, backend CPU s per call (median))."""
    times, cpu, result, queries = [], [], None, 0
    for _ in range(repeat):
        before = backend_cpu()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        cpu.append(backend_cpu() - before)
        queries = sum(1 for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH")))
    return result, min(times), statistics.median(times), queries, statistics.median(cpu)


def prepare(today: dt.date, months: int) -> None:
    if Letter.objects.filter(letter_date__lt=today - dt.timedelta(days=60)).exists():
        print("History present; not prepared again.")
        return
    started = time.perf_counter()
    codes = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
    ElipEnrolment.objects.bulk_create(
        [
            ElipEnrolment(
                municipality_id=pk,
                status=EnrolmentStatus.ENROLLED,
                contact_name="Benchmark",
                letter_email="inburgering@example.nl",
                enrolled_at=timezone.now(),
            )
            for pk in codes[::3]
        ],  # fmt: skip
        ignore_conflicts=True,
    )
    counts = add_letter_history(today=today, months=months, seed=1)
    with connection.cursor() as cursor:
        for table in ("letters_letter", "elip_comparisonentry", "pib_historicalperson", "pib_termextension"):
            cursor.execute(f"ANALYZE {table}")
    print(f"Prepared in {time.perf_counter() - started:.1f} s: {counts}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=24, help="months of letter history (default 24)")
    args = parser.parse_args()
    today = timezone.localdate()
    if not Person.objects.exists():
        sys.exit("No persons in this database: run `manage.py seed_demo --persons 250000 --seed 1` first.")
    prepare(today, args.months)

    load = os.getloadavg()
    print(f"\nLoad average before measuring: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")
    print(
        f"Data: {Person.objects.count():,} persons, {Letter.objects.count():,} letters "
        f"({Letter.objects.dates('letter_date', 'month').count()} letter months), "
        f"{ComparisonEntry.objects.count():,} in the comparison group, "
        f"{Person.history.model.objects.count():,} registry-history rows, "
        f"{ElipEnrolment.objects.filter(status=EnrolmentStatus.ENROLLED).count()} enrolled municipalities, "
        f"{Municipality.objects.count()} municipalities"
    )

    draft = PolicyVersion(
        valid_from=today + dt.timedelta(days=30),
        months_before_term_end=0,
        term_rule_percentage=Decimal("95.00"),
        loan_rule_percentage=Decimal("95.00"),
        status=PolicyStatus.DRAFT,
        note="benchmark: tijdcriterium vervalt",
    )
    what_if, best, median, queries, cpu = timed(lambda: policy_what_if(draft))
    t = what_if.totals
    print(
        f"\nWhat-if (0 months / 95%) over {len(what_if.rows)} municipalities, reference date {what_if.on_date}: "
        f"{best:.2f} s min, {median:.2f} s median, {queries} queries, postgres backend CPU {cpu:.2f} s "
        "(target ≤ 2 s; the backend may use parallel workers besides)"
    )
    print(
        f"  selected now {t['selected_now']:,}, under the draft {t['selected_draft']:,}; new letters of the first "
        f"run {t['letters_now']:,} → {t['letters_draft']:,}; municipalities changed {t['municipalities_changed']} "
        f"(enrolled {t['enrolled_changed']})"
    )
    for row in what_if.most_affected(5):
        print(f"  {row.name:<24} {row.selected_now:>6,} → {row.selected_draft:>6,} ({row.change:+,})")

    figures, best, median, queries, cpu = timed(letter_cohorts)
    print(
        f"\nLetter cohorts: {best:.2f} s min, {median:.2f} s median, {queries} query, postgres backend CPU "
        f"{cpu:.2f} s (target ≤ 1 s)"
    )
    print(f"  {len(figures.cells):,} cells (group × municipality × month)")

    def screen():
        f = letter_cohorts()
        tables = [cohort_table(f, group=g, horizon=6) for g in (LETTER, COMPARISON)]
        quarter = periods(f, 3)[0]
        return tables, municipality_table(f, group=LETTER, horizon=6, month_from=quarter[0], month_to=quarter[1])

    (tables, (muni_rows, national)), best, median, queries, cpu = timed(screen)
    print(
        f"  the DUO screen's tables (cohorts + suppression + per municipality): {best:.2f} s min, {median:.2f} s median"
    )
    for label, rows in (("with letter", tables[0]), ("comparison", tables[1])):
        shown = [r for r in rows if r.complete][:3]
        for row in shown:
            cells = ", ".join("< 10" if c.hidden else f"{c.share:.1f}%" for c in row.cells)
            print(f"  {label:<12} {row.label:<15} n={row.members.value or '< 10'}: {cells}")
    hidden = sum(1 for r in muni_rows for c in r.cells if c.hidden)
    print(f"  per municipality, first quarter: {len(muni_rows)} rows, {hidden} hidden cells")


if __name__ == "__main__":
    main()
