"""Bench data shared by the benchmarks and the load test: signals at any scale (PostgreSQL COPY).

``load_signals`` is what tests/bench/bench_signals.py loads at national scale (1,000,000 signals) and
what tests/bench/load.py and tests/test_load.py load at theirs. It TRUNCATEs the signal tables and the
read log: a bench or test database only, never a real one.
"""

import datetime as dt
import random
import time

from django.db import connection, transaction

from elip.demo.population import bsn_for
from pib.constants import Role
from pib.models import Authorisation, Municipality, Person
from signals.models import PersonContact, SignalStatusChange


def load_signals(
    rng: random.Random,
    *,
    total: int,
    largest_code: str = "GM0363",
    largest_signals: int,
    largest_persons: int,
    other_persons: int,
) -> None:
    """Replaces every signal (and the read log) by ``total`` signals: ``largest_signals`` of them for
    ``largest_code`` over ``largest_persons`` persons of its own, the rest spread evenly over the
    other municipalities, ``other_persons`` persons each. Statuses 40% Nieuw / 20% In behandeling /
    40% Afgehandeld, codes SS400–SS404, dates over the last two years; a contact person for every
    third person of the largest municipality; then VACUUM ANALYZE (as autovacuum would)."""
    municipalities = list(Municipality.objects.order_by("code"))
    largest = next(m for m in municipalities if m.code == largest_code)
    print(f"Loading {total:,} signals over {len(municipalities)} municipalities …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        SignalStatusChange.objects.all().delete()
        PersonContact.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE signals_signal, signals_signalstatuschange CASCADE")
            # A bench database only: the read log refuses DELETE (append-only trigger), not TRUNCATE.
            cursor.execute("TRUNCATE pib_readlogentry")
        persons, n = [], 0
        for m in municipalities:
            for _ in range(largest_persons if m is largest else other_persons):
                bsn = bsn_for(n + 5_000_000)  # clear of seed_demo's own numbers
                persons.append(
                    Person(
                        bsn=bsn,
                        first_names="Bench",
                        last_name=f"Persoon{n:06d}",
                        gender="onbekend",
                        birth_date=dt.date(1990, 1, 1),
                        street="Benchstraat",
                        house_number=1,
                        postcode="1011 AB",
                        city=m.name,
                        municipality=m,
                        term_start=dt.date(2021, 1, 1),
                        term_end=dt.date(2025, 1, 1),
                    )
                )
                n += 1
        Person.objects.filter(bsn__in=[p.bsn for p in persons]).delete()
        Person.objects.bulk_create(persons, batch_size=5000)
        by_municipality = {}
        for p in Person.objects.filter(bsn__in=[p.bsn for p in persons]).values_list("pk", "municipality_id"):
            by_municipality.setdefault(p[1], []).append(p[0])

        others = [m for m in municipalities if m is not largest]
        per_other, rest = divmod(total - largest_signals, len(others))
        plan = [(largest, largest_signals)] + [(m, per_other + (1 if i < rest else 0)) for i, m in enumerate(others)]
        codes = ["SS400", "SS401", "SS402", "SS403", "SS404"]
        statuses = ["nieuw"] * 4 + ["in_behandeling"] * 2 + ["afgehandeld"] * 4
        start = dt.date.today() - dt.timedelta(days=730)
        now = dt.datetime.now(dt.UTC).isoformat()
        with connection.cursor() as cursor:
            raw = cursor.cursor
            copy_sql = (
                "COPY signals_signal (municipality_id, person_id, code, placed_on, created_at, status, "
                "status_changed_at) FROM STDIN"
            )
            with raw.copy(copy_sql) as copy:
                for m, count in plan:
                    pids = by_municipality[m.pk]
                    for _ in range(count):
                        status = rng.choice(statuses)
                        copy.write_row(
                            (
                                m.pk,
                                rng.choice(pids),
                                rng.choice(codes),
                                start + dt.timedelta(days=rng.randrange(730)),
                                now,
                                status,
                                None if status == "nieuw" else now,
                            )
                        )
        # A contact person for some of the largest municipality's persons.
        user = bench_user(largest)
        PersonContact.objects.bulk_create(
            PersonContact(municipality=largest, person_id=pid, user=user) for pid in by_municipality[largest.pk][::3]
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load: visibility map + statistics
    print(f"Loaded in {time.perf_counter() - started:.1f} s", flush=True)


def bench_user(municipality):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-signalen", defaults={"first_name": "Bench"})
    Authorisation.objects.get_or_create(user=user, municipality=municipality, role=Role.ELIP_SIGNALS)
    return user
