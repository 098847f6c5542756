"""Benchmark: the ELIP selection on a large population (target: ≤ 2 s for 250,000 persons).

    createdb elip_bench250
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/elip_bench250
    python manage.py migrate && python manage.py seed_demo --persons 250000 --seed 1
    python tests/bench/bench_selection.py [--date JJJJ-MM-DD] [--explain]

Times, 5 repetitions each (min and median): the candidate count, fetching every candidate's id and
matched rule (what the run does), and one municipality's estimate (what the portal shows).
``--explain`` prints PostgreSQL's EXPLAIN ANALYZE of the full selection.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pib.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from elip.selectors import active_policy, elip_candidates, estimate_for_municipality  # noqa: E402
from pib.models import Municipality, Person  # noqa: E402

REPEAT = 5


def timed(fn, repeat=REPEAT):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default=None, help="reference date JJJJ-MM-DD (default: today)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the selection")
    args = parser.parse_args()
    on_date = dt.date.fromisoformat(args.date) if args.date else dt.date.today()

    persons = Person.objects.count()
    if not persons:
        sys.exit("No persons in this database: run `manage.py seed_demo --persons 250000 --seed 1` first.")
    policy = active_policy(on_date)
    biggest = Municipality.objects.annotate(n=Count("persons")).order_by("-n").only("pk", "name").first()
    qs = elip_candidates(on_date, policy)

    count, c_min, c_med = timed(qs.count)
    rows, f_min, f_med = timed(lambda: len(list(qs.order_by().values_list("pk", "matched_rule"))))
    estimate, e_min, e_med = timed(lambda: estimate_for_municipality(biggest, on_date))

    print(f"ELIP selection benchmark — {connection.vendor}, database {connection.settings_dict['NAME']}")
    print(f"persons: {persons:,}   date: {on_date:%d-%m-%Y}   policy: {policy}")
    print()
    print(f"{'measure':<44} {'result':>10} {'min s':>8} {'median s':>9}")
    print(f"{'-' * 44} {'-' * 10} {'-' * 8} {'-' * 9}")
    print(f"{'elip_candidates(...).count()':<44} {count:>10,} {c_min:>8.3f} {c_med:>9.3f}")
    print(f"{'all candidates: id + matched_rule':<44} {rows:>10,} {f_min:>8.3f} {f_med:>9.3f}")
    label = f"estimate_for_municipality({biggest.name})"
    print(f"{label[:44]:<44} {estimate:>10,} {e_min:>8.3f} {e_med:>9.3f}")
    print()
    print(f"target: count ≤ 2 s → {'OK' if c_med <= 2 else 'TOO SLOW'}")

    if args.explain and connection.vendor == "postgresql":
        sql, params = qs.order_by().values("pk", "matched_rule").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print()
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
