"""One run per ISO week, whoever triggers it and whenever (issue 12, faults): the beat task fired
twice (two beat processes), a manual trigger later in the week, and triggers around the DST changes
of 2026-03-29 and 2026-10-25 (Europe/Amsterdam), where the UTC date and the Amsterdam date differ
just after midnight. The scheduled task takes "today" in Amsterdam, so a trigger at 00:30 Monday
Amsterdam time (still Sunday in UTC) belongs to the new ISO week."""

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from elip.models import SelectionRun
from elip.tasks import weekly_run as weekly_run_task
from letters.models import Letter
from tests.elip.factories import enrol
from tests.pib.factories import PersonFactory, municipality

AMS = ZoneInfo("Europe/Amsterdam")


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def trigger_at(moment: dt.datetime) -> SelectionRun:
    with time_machine.travel(moment, tick=False):
        return SelectionRun.objects.get(pk=weekly_run_task())


@pytest.fixture
def population(db):
    enrol("GM0363")
    return [
        PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2026, 12, 1), municipality=municipality("GM0363"))
        for _ in range(3)
    ]


@pytest.mark.parametrize(
    ("triggers", "weeks"),
    [
        # Two beat processes fire at Wednesday 06:00; a manual trigger on Saturday.
        (["2026-11-25 06:00", "2026-11-25 06:00", "2026-11-28 14:00"], [(2026, 48)]),
        # Spring forward (Sunday 2026-03-29 02:00 -> 03:00): Sunday late is week 13, Monday 00:30
        # Amsterdam (22:30 UTC on Sunday) is week 14.
        (["2026-03-25 06:00", "2026-03-29 23:30", "2026-03-30 00:30", "2026-04-01 06:00"], [(2026, 13), (2026, 14)]),
        # Fall back (Sunday 2026-10-25 03:00 -> 02:00): the repeated hour and Monday 00:30
        # Amsterdam (23:30 UTC on Sunday).
        (["2026-10-21 06:00", "2026-10-25 02:30", "2026-10-26 00:30", "2026-10-28 06:00"], [(2026, 43), (2026, 44)]),
    ],
)
def test_one_run_per_iso_week(population, triggers, weeks):
    runs = [trigger_at(local(moment)) for moment in triggers]
    assert sorted(SelectionRun.objects.values_list("iso_year", "iso_week")) == weeks
    for run in runs:  # each trigger answered with the run of its own Amsterdam week
        assert run.run_date.isocalendar()[:2] == (run.iso_year, run.iso_week)
    assert Letter.objects.count() == len(population)  # letters only from the week's first run


def test_the_run_date_is_the_amsterdam_date_not_the_utc_date(population):
    run = trigger_at(dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC))  # Monday 00:30 CEST
    assert run.run_date == dt.date(2026, 3, 30) and (run.iso_year, run.iso_week) == (2026, 14)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_triggers_in_one_week_make_one_run():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    enrol("GM0363")
    for _ in range(4):
        PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2026, 12, 1), municipality=municipality("GM0363"))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def trigger(moment):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            with time_machine.travel(moment, tick=False):
                results.append(weekly_run_task())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=trigger, args=(local("2026-11-25 06:00"),)),
        threading.Thread(target=trigger, args=(local("2026-11-26 09:00"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert SelectionRun.objects.count() == 1 and len(set(results)) == 1
    assert Letter.objects.count() == 4
    assert Letter.objects.values("person_id").distinct().count() == 4
