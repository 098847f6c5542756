"""Retention: Afgehandeld signals go a week after; Nieuw signals older than a quarter go quarterly."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from signals.constants import SignalStatus
from signals.models import Signal
from signals.services import signal_retention_apply
from signals.tasks import apply_retention
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def done_signal(at: dt.datetime):
    return SignalFactory(status=SignalStatus.DONE, status_changed_at=at)


# --- Afgehandeld: status on day D (any time) → kept up to D+7, deleted on D+8 -----------------

D = dt.date(2025, 3, 10)


@pytest.mark.parametrize(
    ("today", "kept"),
    [(D + dt.timedelta(days=7), True), (D + dt.timedelta(days=8), False), (D + dt.timedelta(days=9), False)],
    ids=["N-1", "N", "N+1"],
)
@pytest.mark.parametrize("hour", [0, 23])
def test_done_signal_deleted_on_day_d_plus_8(today, kept, hour):
    signal = done_signal(dt.datetime(D.year, D.month, D.day, hour, 30, tzinfo=AMS))
    signal_retention_apply(today=today)
    assert Signal.objects.filter(pk=signal.pk).exists() is kept


def test_done_rule_touches_no_other_status():
    old = timezone.make_aware(dt.datetime(2020, 1, 1))
    in_progress = SignalFactory(status=SignalStatus.IN_PROGRESS, status_changed_at=old, placed_on=dt.date(2020, 1, 1))
    signal_retention_apply(today=dt.date(2020, 2, 15))
    assert Signal.objects.filter(pk=in_progress.pk).exists()


# --- Nieuw: on the first day of a quarter S, Nieuw placed before S − 1 quarter are deleted ------

S = dt.date(2025, 4, 1)  # first day of Q2; cutoff then becomes 1 January


@pytest.mark.parametrize(
    ("today", "old_kept"),
    [(S - dt.timedelta(days=1), True), (S, False), (S + dt.timedelta(days=1), False)],
    ids=["N-1", "N", "N+1"],
)
def test_new_signal_older_than_a_quarter_deleted_on_first_day_of_quarter(today, old_kept):
    old = SignalFactory(placed_on=dt.date(2024, 12, 31))  # more than a quarter old on 1 April
    recent = SignalFactory(placed_on=dt.date(2025, 1, 1))  # exactly the previous quarter: stays
    signal_retention_apply(today=today)
    assert Signal.objects.filter(pk=old.pk).exists() is old_kept
    assert Signal.objects.filter(pk=recent.pk).exists()


@pytest.mark.parametrize("status", [SignalStatus.IN_PROGRESS, SignalStatus.DONE])
def test_quarter_rule_only_deletes_new(status):
    signal = SignalFactory(
        placed_on=dt.date(2024, 1, 1), status=status, status_changed_at=timezone.make_aware(dt.datetime(2025, 3, 31))
    )
    signal_retention_apply(today=S)
    assert Signal.objects.filter(pk=signal.pk).exists()


def test_quarter_boundaries_over_the_year():
    # 1 January 2026: Nieuw placed before 1 October 2025 go.
    old = SignalFactory(placed_on=dt.date(2025, 9, 30))
    recent = SignalFactory(placed_on=dt.date(2025, 10, 1))
    signal_retention_apply(today=dt.date(2026, 1, 1))
    assert not Signal.objects.filter(pk=old.pk).exists()
    assert Signal.objects.filter(pk=recent.pk).exists()


def test_retention_is_idempotent():
    done_signal(timezone.make_aware(dt.datetime(2025, 3, 1, 12)))
    SignalFactory(placed_on=dt.date(2024, 6, 1))
    first = signal_retention_apply(today=S)
    second = signal_retention_apply(today=S)
    assert (first.done_deleted, first.new_deleted) == (1, 1)
    assert (second.done_deleted, second.new_deleted) == (0, 0)


def test_task_runs_the_service():
    SignalFactory(placed_on=dt.date(2000, 1, 1))
    result = apply_retention.delay().get()
    assert result == {"done_deleted": 0, "new_deleted": 1}


def test_retention_task_is_in_the_beat_schedule(settings):
    assert any(e["task"] == "signals.tasks.apply_retention" for e in settings.CELERY_BEAT_SCHEDULE.values())


def test_retention_deletes_in_batches_with_history(monkeypatch, user):
    from signals.services import signal_status_change

    monkeypatch.setattr("signals.services.DELETE_BATCH", 2)
    signals = SignalFactory.create_batch(5, placed_on=dt.date(2024, 1, 1))
    signal_status_change(signals_qs_or_ids=signals[:2], to_status=SignalStatus.IN_PROGRESS, user=user,
                         municipality=signals[0].municipality)  # fmt: skip
    result = signal_retention_apply(today=S)
    assert result.new_deleted == 3
    assert Signal.objects.count() == 2
