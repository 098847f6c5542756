"""Signals test factories: signals and users with the signals role. An ELIP person (a person with
the ELIP letter) is ``PersonFactory(elip=True)``."""

import datetime as dt

import factory

from pib.constants import Role
from signals.constants import SignalCode, SignalStatus
from signals.models import Signal
from tests.pib.factories import PersonFactory, UserFactory


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signal

    person = factory.SubFactory(PersonFactory)
    municipality = factory.LazyAttribute(lambda o: o.person.municipality)
    code = SignalCode.SS400
    placed_on = dt.date(2023, 6, 14)
    status = SignalStatus.NEW


def signals_user(code="GM0363", username=None):
    kwargs = {"roles": {code: [Role.ELIP_SIGNALS]}}
    if username:
        kwargs["username"] = username
    return UserFactory(**kwargs)
