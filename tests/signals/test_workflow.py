"""The status machine: the table, the one service, history, bulk all-or-nothing."""

import pytest

from signals.constants import SignalStatus
from signals.models import Signal, SignalStatusChange
from signals.services import signal_status_change
from signals.workflow import ALLOWED_TRANSITIONS, SignalNotFoundError, SignalTransitionError, is_allowed
from tests.pib.factories import PersonFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db
NEW, IN_PROGRESS, DONE = SignalStatus.NEW, SignalStatus.IN_PROGRESS, SignalStatus.DONE


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [
        (NEW, IN_PROGRESS, True),
        (NEW, DONE, True),
        (IN_PROGRESS, DONE, True),
        (IN_PROGRESS, NEW, False),
        (DONE, NEW, False),
        (DONE, IN_PROGRESS, False),
    ],
)
def test_transition_table(from_status, to_status, allowed):
    assert is_allowed(from_status, to_status) is allowed


def test_nothing_goes_back_to_new():
    assert all(NEW not in targets for targets in ALLOWED_TRANSITIONS.values())


@pytest.mark.parametrize(("from_status", "to_status"), [(NEW, IN_PROGRESS), (NEW, DONE), (IN_PROGRESS, DONE)])
def test_allowed_move_changes_status_and_writes_one_history_row(user, from_status, to_status):
    signal = SignalFactory(status=from_status)
    result = signal_status_change(
        signals_qs_or_ids=[signal.pk], to_status=to_status, user=user, municipality=signal.municipality
    )
    signal.refresh_from_db()
    assert (result.changed, result.unchanged) == (1, 0)
    assert signal.status == to_status and signal.status_changed_at is not None
    change = SignalStatusChange.objects.get()
    assert (change.signal_id, change.user, change.from_status, change.to_status) == (
        signal.pk,
        user,
        from_status,
        to_status,
    )


@pytest.mark.parametrize(("from_status", "to_status"), [(IN_PROGRESS, NEW), (DONE, NEW), (DONE, IN_PROGRESS)])
def test_illegal_move_raises_dutch_error_and_changes_nothing(user, from_status, to_status):
    signal = SignalFactory(status=from_status)
    with pytest.raises(SignalTransitionError, match="kan niet de status"):
        signal_status_change(
            signals_qs_or_ids=[signal.pk], to_status=to_status, user=user, municipality=signal.municipality
        )
    signal.refresh_from_db()
    assert signal.status == from_status
    assert not SignalStatusChange.objects.exists()


def test_same_status_is_skipped_without_history(user):
    signal = SignalFactory(status=IN_PROGRESS)
    result = signal_status_change(
        signals_qs_or_ids=[signal.pk], to_status=IN_PROGRESS, user=user, municipality=signal.municipality
    )
    assert (result.changed, result.unchanged) == (0, 1)
    assert not SignalStatusChange.objects.exists()


def test_bulk_is_all_or_nothing(user):
    person = PersonFactory()
    new = SignalFactory.create_batch(3, person=person, status=NEW)
    done = SignalFactory(person=person, status=DONE)
    with pytest.raises(SignalTransitionError):
        signal_status_change(
            signals_qs_or_ids=[s.pk for s in [*new, done]],
            to_status=IN_PROGRESS,
            user=user,
            municipality=person.municipality,
        )
    assert set(Signal.objects.values_list("status", flat=True)) == {NEW, DONE}
    assert not SignalStatusChange.objects.exists()


def test_bulk_through_queryset_writes_one_history_row_each(user):
    person = PersonFactory()
    SignalFactory.create_batch(4, person=person)
    result = signal_status_change(
        signals_qs_or_ids=Signal.objects.all(), to_status=DONE, user=user, municipality=person.municipality
    )
    assert result.changed == 4
    assert SignalStatusChange.objects.count() == 4


def test_foreign_signal_id_is_refused_and_nothing_changes(user):
    own = SignalFactory(person=PersonFactory(municipality=municipality("GM0363")))
    foreign = SignalFactory(person=PersonFactory(municipality=municipality("GM0599")))
    with pytest.raises(SignalNotFoundError):
        signal_status_change(
            signals_qs_or_ids=[own.pk, foreign.pk], to_status=DONE, user=user, municipality=own.municipality
        )
    assert set(Signal.objects.values_list("status", flat=True)) == {NEW}


@pytest.mark.parametrize("bad", [[], ["abc"], [None]])
def test_empty_or_garbage_ids_are_a_dutch_error(user, bad):
    with pytest.raises(SignalTransitionError):
        signal_status_change(signals_qs_or_ids=bad, to_status=DONE, user=user, municipality=municipality())


def test_unknown_status_is_refused(user):
    signal = SignalFactory()
    with pytest.raises(SignalTransitionError):
        signal_status_change(
            signals_qs_or_ids=[signal.pk], to_status="weg", user=user, municipality=signal.municipality
        )
