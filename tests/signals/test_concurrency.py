"""Two users change the same signal at the same moment: the row lock serialises them, so the
second sees the first's status and the workflow table decides (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

from signals.constants import SignalStatus
from signals.models import Signal, SignalStatusChange
from signals.services import signal_status_change
from signals.workflow import SignalTransitionError
from tests.signals.factories import SignalFactory, signals_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_changes_are_serialised_by_the_row_lock():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    signal = SignalFactory(status=SignalStatus.IN_PROGRESS)
    user = signals_user()
    barrier = threading.Barrier(2)
    outcomes = []

    def change(to_status):
        try:
            barrier.wait()
            signal_status_change(
                signals_qs_or_ids=[signal.pk], to_status=to_status, user=user, municipality=signal.municipality
            )
            outcomes.append(("ok", to_status))
        except SignalTransitionError:
            outcomes.append(("refused", to_status))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(SignalStatus.DONE,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Both asked In behandeling → Afgehandeld; exactly one made the change, the other found it done.
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.DONE
    assert SignalStatusChange.objects.filter(signal=signal).count() == 1
    assert sorted(o[0] for o in outcomes) == ["ok", "ok"]
