"""Signals test helpers: ELIP persons (a person with a letter), signals, users with the signals role."""

import datetime as dt

import factory

from elip.models import PolicyVersion, SelectionRun
from letters.models import Letter
from pib.constants import Role
from signals.constants import SignalCode, SignalStatus
from signals.models import Signal
from tests.pib.factories import PersonFactory, UserFactory, municipality


def selection_run(run_date=dt.date(2023, 6, 14)) -> SelectionRun:
    iso = run_date.isocalendar()
    run, _ = SelectionRun.objects.get_or_create(
        run_date=run_date,
        defaults={"iso_year": iso[0], "iso_week": iso[1], "policy": PolicyVersion.objects.order_by("-valid_from")[0]},
    )
    return run


def make_elip(person, *, run_date=dt.date(2023, 6, 14)) -> Letter:
    """Marks ``person`` an ELIP person of its municipality: the letter was sent."""
    return Letter.objects.create(
        person=person,
        municipality=person.municipality,
        dispatch=selection_run(run_date).dispatch,
        letter_date=run_date,
        reference=f"ELIP-{person.pk}",
        matched_rule="termijn_en_lening",
        snapshot={},
    )


def elip_person(code="GM0363", **kwargs):
    person = PersonFactory(municipality=municipality(code), **kwargs)
    make_elip(person)
    return person


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
