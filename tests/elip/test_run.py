"""The weekly run: letters, SS400, counts, idempotency, resume after a crash, estimates."""

import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from elip.constants import MatchedRule, RunStatus
from elip.models import RunMunicipality, SelectionRun
from elip.selectors import estimate_for_municipality
from elip.services import weekly_run as weekly_run_module
from elip.services.weekly_run import letter_reference, weekly_run
from letters.models import Letter
from signals.constants import SignalCode
from signals.models import Signal
from tests.elip.factories import enrol
from tests.pib.factories import PersonFactory, municipality

pytestmark = pytest.mark.django_db

RUN = dt.date(2023, 6, 14)  # Wednesday, ISO week 24
SOON = dt.date(2024, 1, 1)


class Crash(Exception):
    pass


def candidate(code="GM0363", used="8000", term_end=SOON, **kwargs):
    """An ELIP candidate (selected by the run; no letter yet), not an ELIP person."""
    return PersonFactory(loan_used=Decimal(used), term_end=term_end, municipality=municipality(code), **kwargs)


def letters_per_person():
    return dict(Letter.objects.values("person_id").annotate(n=Count("pk")).values_list("person_id", "n"))


def ss400_count():
    return Signal.objects.filter(code=SignalCode.SS400).count()


def test_run_letters_candidates_of_enrolled_municipalities_only():
    enrol("GM0363")
    enrol("GM0014")
    enrol("GM0599", withdrawn=True)
    a1, a2 = candidate("GM0363"), candidate("GM0363", used="9600", term_end=dt.date(2030, 1, 1))
    g1 = candidate("GM0014")
    r1 = candidate("GM0599")  # withdrawn
    u1 = candidate("GM0344")  # never enrolled
    candidate("GM0363", used="100")  # not a candidate

    run = weekly_run(run_date=RUN)

    assert run.status == RunStatus.DONE
    assert run.finished_at is not None
    assert (run.iso_year, run.iso_week) == (2023, 24)
    letters = {letter.person_id: letter for letter in Letter.objects.all()}
    assert set(letters) == {a1.pk, a2.pk, g1.pk}
    assert letters[a1.pk].matched_rule == MatchedRule.TERM_AND_LOAN
    assert letters[a2.pk].matched_rule == MatchedRule.LOAN_ONLY
    assert letters[g1.pk].municipality == municipality("GM0014")
    assert all(letter.dispatch == run.dispatch and letter.letter_date == RUN for letter in letters.values())
    counts = dict(RunMunicipality.objects.filter(run=run).values_list("municipality__code", "letters_count"))
    assert counts == {"GM0363": 2, "GM0014": 1}
    # Withdrawn and non-enrolled municipalities get no letters but do get estimates.
    assert estimate_for_municipality(municipality("GM0599"), RUN) == 1
    assert estimate_for_municipality(municipality("GM0344"), RUN) == 1
    assert estimate_for_municipality(municipality("GM0363"), RUN) == 0  # lettered: no longer estimated
    assert r1.pk not in letters and u1.pk not in letters


def test_every_letter_has_one_ss400_to_its_municipality_on_the_run_date():
    enrol("GM0363")
    enrol("GM0014")
    for code in ("GM0363", "GM0363", "GM0014"):
        candidate(code)
    weekly_run(run_date=RUN)
    assert ss400_count() == Letter.objects.count() == 3
    for letter in Letter.objects.all():
        signal = Signal.objects.get(person=letter.person, code=SignalCode.SS400)
        assert signal.municipality_id == letter.municipality_id
        assert signal.placed_on == RUN


def test_reference_has_no_bsn():
    enrol("GM0363")
    p = candidate()
    weekly_run(run_date=RUN)
    letter = Letter.objects.get(person=p)
    assert letter.reference == letter_reference(RUN, p.public_id)
    assert re.fullmatch(r"ELIP-20230614-[0-9A-F]{8}", letter.reference)
    assert p.bsn not in letter.reference


def test_snapshot_is_taken_at_the_run_with_the_enrolment_letter_data():
    enrol("GM0363", letter_phone="020 111 22 33")
    p = candidate()
    weekly_run(run_date=RUN)
    snapshot = Letter.objects.get(person=p).snapshot
    assert "020 111 22 33" in str(snapshot)
    assert p.bsn in str(snapshot)


def test_second_run_for_the_same_date_creates_nothing():
    enrol("GM0363")
    candidate()
    first = weekly_run(run_date=RUN)
    candidate()  # a new candidate appears; the finished run for this date does nothing anyway
    again = weekly_run(run_date=RUN)
    assert again.pk == first.pk
    assert Letter.objects.count() == 1 == ss400_count()
    assert SelectionRun.objects.count() == 1
    assert RunMunicipality.objects.get().letters_count == 1


def test_second_run_in_the_same_iso_week_creates_nothing():
    enrol("GM0363")
    candidate()
    weekly_run(run_date=RUN)
    candidate()
    other = weekly_run(run_date=RUN + dt.timedelta(days=2))  # Friday, same ISO week
    assert other.run_date == RUN
    assert SelectionRun.objects.count() == 1
    assert Letter.objects.count() == 1 == ss400_count()


def test_next_weeks_run_letters_only_new_candidates():
    enrol("GM0363")
    first = candidate()
    weekly_run(run_date=RUN)
    second = candidate()
    run2 = weekly_run(run_date=RUN + dt.timedelta(days=7))
    assert Letter.objects.get(person=second).dispatch == run2.dispatch
    assert Letter.objects.get(person=first).dispatch.date == RUN
    assert letters_per_person() == {first.pk: 1, second.pk: 1}


def test_person_who_moved_after_the_letter_is_not_lettered_again():
    enrol("GM0363")
    enrol("GM0014")
    p = candidate("GM0363")
    weekly_run(run_date=RUN)
    p.municipality = municipality("GM0014")
    p.save()
    weekly_run(run_date=RUN + dt.timedelta(days=7))
    assert letters_per_person() == {p.pk: 1}
    assert Letter.objects.get(person=p).municipality.code == "GM0363"
    assert estimate_for_municipality(municipality("GM0014"), RUN + dt.timedelta(days=7)) == 0


def test_run_interrupted_after_the_first_municipality_finishes_every_letter_once(settings):
    settings.LETTER_BATCH_SIZE = 2
    enrol("GM0014")
    enrol("GM0363")
    enrol("GM0599")
    people = [candidate(code) for code in ("GM0014",) * 3 + ("GM0363",) * 3 + ("GM0599",) * 2]

    def crash_after_first_municipality(p):
        if p.municipality_finished:
            raise Crash

    with pytest.raises(Crash):
        weekly_run(run_date=RUN, progress=crash_after_first_municipality)
    run = SelectionRun.objects.get()
    assert run.status == RunStatus.RUNNING
    assert Letter.objects.count() == 3  # GM0014 (lowest CBS code) only

    resumed = weekly_run(run_date=RUN)
    assert resumed.pk == run.pk
    assert resumed.status == RunStatus.DONE
    assert letters_per_person() == {p.pk: 1 for p in people}
    assert ss400_count() == len(people)
    counts = dict(RunMunicipality.objects.filter(run=run).values_list("municipality__code", "letters_count"))
    assert counts == {"GM0014": 3, "GM0363": 3, "GM0599": 2}


def test_run_interrupted_mid_batch_rolls_the_batch_back_and_the_restart_completes(settings, monkeypatch):
    settings.LETTER_BATCH_SIZE = 2
    enrol("GM0363")
    people = [candidate() for _ in range(5)]
    real_emit = weekly_run_module.signal_emit
    calls = {"n": 0}

    def emit_then_crash(**kwargs):
        calls["n"] += 1
        if calls["n"] == 4:  # second signal of the second batch: letters 3-4 are already inserted
            raise Crash
        return real_emit(**kwargs)

    monkeypatch.setattr(weekly_run_module, "signal_emit", emit_then_crash)
    with pytest.raises(Crash):
        weekly_run(run_date=RUN)
    assert Letter.objects.count() == 2 == ss400_count()  # the second batch rolled back as a whole
    assert RunMunicipality.objects.get().letters_count == 2

    monkeypatch.setattr(weekly_run_module, "signal_emit", real_emit)
    weekly_run(run_date=RUN)
    assert letters_per_person() == {p.pk: 1 for p in people}
    assert ss400_count() == 5
    assert RunMunicipality.objects.get().letters_count == 5


def test_progress_reports_batches_and_municipalities(settings):
    settings.LETTER_BATCH_SIZE = 2
    enrol("GM0363")
    for _ in range(3):
        candidate()
    seen = []
    weekly_run(run_date=RUN, progress=lambda p: seen.append((p.letters_created, p.municipality_finished)))
    assert seen == [(2, False), (3, False), (3, True)]


def test_rendering_is_queued_after_commit_per_municipality(settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.LETTER_BATCH_SIZE = 2
    enrol("GM0363")
    for _ in range(3):
        candidate()
    from letters import tasks as letter_tasks

    queued = []
    monkeypatch.setattr(letter_tasks.render_letter_batch, "delay", lambda ids: queued.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        weekly_run(run_date=RUN)
    ids = sorted(Letter.objects.values_list("pk", flat=True))
    assert queued == [ids[:2], ids[2:]]


def test_run_without_enrolled_municipalities_records_an_empty_run():
    candidate()
    run = weekly_run(run_date=RUN)
    assert run.status == RunStatus.DONE
    assert not Letter.objects.exists()
    assert not RunMunicipality.objects.exists()


def test_run_uses_the_policy_in_force_on_its_date():
    enrol("GM0363")
    p = candidate(used="9600", term_end=dt.date(2030, 1, 1))
    old = weekly_run(run_date=dt.date(2021, 5, 26))
    assert old.policy.valid_from < dt.date(2021, 6, 1)
    assert not Letter.objects.exists()
    new = weekly_run(run_date=dt.date(2021, 6, 2))
    assert new.policy.valid_from == dt.date(2021, 6, 1)
    assert Letter.objects.get().person == p


def test_the_database_refuses_a_second_letter_for_a_person():
    enrol("GM0363")
    p = candidate()
    run = weekly_run(run_date=RUN)
    letter = Letter.objects.get(person=p)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(
            person=p,
            municipality=letter.municipality,
            dispatch=run.dispatch,
            letter_date=RUN,
            reference="ELIP-DUBBEL",
            matched_rule=letter.matched_rule,
            snapshot={},
        )


def test_the_database_refuses_a_second_run_in_the_same_iso_week():
    run = weekly_run(run_date=RUN)
    with pytest.raises(IntegrityError), transaction.atomic():
        SelectionRun.objects.create(
            run_date=RUN + dt.timedelta(days=1), iso_year=run.iso_year, iso_week=run.iso_week, policy=run.policy
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SelectionRun.objects.create(run_date=RUN, iso_year=2099, iso_week=1, policy=run.policy)


@pytest.mark.django_db(transaction=True)
def test_two_processes_running_the_same_run_at_once_make_every_letter_once(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL")
    from letters import tasks as letter_tasks

    # Letters, not PDFs, are under test here: keep rendering out of the threads.
    monkeypatch.setattr(letter_tasks.render_letter_batch, "delay_on_commit", lambda ids: None)
    settings.LETTER_BATCH_SIZE = 3
    enrol("GM0363")
    enrol("GM0014")
    people = [candidate(code) for code in ("GM0363",) * 10 + ("GM0014",) * 8]
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            weekly_run(run_date=RUN)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert SelectionRun.objects.count() == 1
    assert letters_per_person() == {p.pk: 1 for p in people}
    assert ss400_count() == len(people)
    counts = dict(RunMunicipality.objects.values_list("municipality__code", "letters_count"))
    assert counts == {"GM0363": 10, "GM0014": 8}
