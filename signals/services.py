"""Writes of signals. Every signal is created in the transaction of its cause
(see ``elip.services.registry`` for the registry writes that emit SS401–SS404; the weekly run emits SS400)."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pib.models import Authorisation, Municipality, Person

from .constants import SignalCode, SignalStatus
from .models import PersonContact, Signal, SignalStatusChange
from .workflow import SignalNotFoundError, SignalTransitionError, check_transition


@transaction.atomic
def signal_emit(*, person: Person, municipality: Municipality, code: SignalCode, on_date: dt.date) -> Signal:
    return Signal.objects.create(person=person, municipality=municipality, code=code, placed_on=on_date)


MAX_ID = 2**63 - 1  # BigAutoField
_ID = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class StatusChangeResult:
    changed: int
    unchanged: int


def _ids(signals_qs_or_ids) -> list[int]:
    if isinstance(signals_qs_or_ids, QuerySet):
        return list(signals_qs_or_ids.values_list("pk", flat=True))
    ids = []
    for value in signals_qs_or_ids:
        pk = value.pk if isinstance(value, Signal) else value
        # Strict: an int, or a string of ASCII digits only. int() would also take " 1", "1\n",
        # "+1", "1_0" and "١" (Arabic-Indic one), so a crafted POST could name a signal it never showed.
        if isinstance(pk, str) and _ID.fullmatch(pk):
            pk = int(pk)
        if isinstance(pk, bool) or not isinstance(pk, int):
            pk = 0
        if not 0 < pk <= MAX_ID:
            raise SignalNotFoundError("Een of meer gekozen signalen bestaan niet. Er is niets gewijzigd.")
        ids.append(pk)
    return ids


@transaction.atomic
def signal_status_change(
    *, signals_qs_or_ids: QuerySet | Iterable, to_status: str, user, municipality: Municipality
) -> StatusChangeResult:
    """Move signals of ``municipality`` to ``to_status``: all of them or none.

    The rows are locked (SELECT … FOR UPDATE, in id order so two bulk changes cannot deadlock),
    every move is checked against ``workflow.ALLOWED_TRANSITIONS`` and one history row is written
    per changed signal. A signal that already has ``to_status`` is skipped (no history row).
    A signal id that is not this municipality's raises ``SignalNotFoundError`` and nothing changes.
    """
    if to_status not in SignalStatus.values:
        raise SignalTransitionError("Onbekende status. Er is niets gewijzigd.")
    ids = sorted(set(_ids(signals_qs_or_ids)))
    if not ids:
        raise SignalTransitionError("Selecteer ten minste één signaal.")
    rows = list(
        Signal.objects.select_for_update().filter(municipality=municipality, pk__in=ids).order_by("pk").only("status")
    )
    if len(rows) != len(ids):
        raise SignalNotFoundError("Een of meer gekozen signalen bestaan niet (meer). Er is niets gewijzigd.")
    to_change = [s for s in rows if s.status != to_status]
    for signal in to_change:
        check_transition(signal.status, to_status)
    now = timezone.now()
    history = [SignalStatusChange(signal=s, user=user, from_status=s.status, to_status=to_status) for s in to_change]
    if to_change:
        Signal.objects.filter(pk__in=[s.pk for s in to_change]).update(status=to_status, status_changed_at=now)
        SignalStatusChange.objects.bulk_create(history)
    return StatusChangeResult(changed=len(to_change), unchanged=len(rows) - len(to_change))


class ContactAssignError(Exception):
    """Dutch message: the user may not be this municipality's contact person."""


@transaction.atomic
def person_contact_assign(*, municipality: Municipality, person: Person, user) -> PersonContact | None:
    """Make ``user`` the municipality's contact person for ``person`` (None: remove the contact person).

    Only a user holding a role for that municipality can be its contact person.
    """
    if user is None:
        PersonContact.objects.filter(municipality=municipality, person=person).delete()
        return None
    if not Authorisation.objects.filter(user=user, municipality=municipality).exists():
        raise ContactAssignError("Deze medewerker heeft geen accountrol voor deze gemeente.")
    contact, _ = PersonContact.objects.update_or_create(
        municipality=municipality, person=person, defaults={"user": user}
    )
    return contact


# --- Retention ---------------------------------------------------------------------------------


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter_start(day: dt.date) -> dt.date:
    start = quarter_start(day)
    return quarter_start(start - dt.timedelta(days=1))


def done_cutoff(today: dt.date) -> dt.datetime:
    """Afgehandeld signals whose status changed before this moment are deleted.

    Local midnight at the start of ``today - 7 days``: a signal that became Afgehandeld on day D
    (at any time of day) is kept up to and including D+7 and deleted by the run on D+8, the first
    daily run at which more than seven full days have passed for every signal of that day.
    """
    return timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=7), dt.time.min))


def new_cutoff(today: dt.date) -> dt.date:
    """Signals still Nieuw placed before this date are deleted: the first day of the previous quarter.

    The cutoff only moves on the first day of a quarter (1 January, 1 April, 1 July, 1 October),
    so the rule deletes once per quarter; running it every day is harmless and catches up a missed
    first-day run. On 1 April: Nieuw signals placed before 1 January (more than a quarter old) go;
    those placed from 1 January on stay until 1 July.
    """
    return previous_quarter_start(today)


@dataclass(frozen=True)
class RetentionResult:
    done_deleted: int
    new_deleted: int


@transaction.atomic
def signal_retention_apply(*, today: dt.date | None = None) -> RetentionResult:
    """Both retention rules; idempotent (a second run on the same day deletes nothing more)."""
    today = today or timezone.localdate()
    done = Signal.objects.filter(status=SignalStatus.DONE, status_changed_at__lt=done_cutoff(today))
    done_deleted = _delete_signals(done)
    new = Signal.objects.filter(status=SignalStatus.NEW, placed_on__lt=new_cutoff(today))
    new_deleted = _delete_signals(new)
    return RetentionResult(done_deleted=done_deleted, new_deleted=new_deleted)


DELETE_BATCH = 5000


def _delete_signals(qs: QuerySet) -> int:
    """Delete the signals and their status history in batches of ids (memory bounded however
    many rows match); returns the number of signals deleted."""
    deleted = 0
    while ids := list(qs.order_by("pk").values_list("pk", flat=True)[:DELETE_BATCH]):
        SignalStatusChange.objects.filter(signal_id__in=ids).delete()
        _, per_model = Signal.objects.filter(pk__in=ids).delete()
        deleted += per_model.get(Signal._meta.label, 0)
    return deleted
