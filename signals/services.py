"""Writes of signals. Every signal is created in the transaction of its cause."""

import datetime as dt

from django.db import transaction

from pib.models import Municipality, Person

from .constants import SignalCode
from .models import Signal


@transaction.atomic
def signal_emit(*, person: Person, municipality: Municipality, code: SignalCode, on_date: dt.date) -> Signal:
    return Signal.objects.create(person=person, municipality=municipality, code=code, placed_on=on_date)
