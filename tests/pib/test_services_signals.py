"""Registry services emit SS401–SS404 for ELIP persons, in the cause's transaction, and nothing else."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from elip.services.registry import (
    is_elip_person,
    obligation_end,
    person_move,
    person_term_end_change,
    person_update,
    term_extension_add,
)
from pib.constants import ObligationStatus
from pib.models import Person, TermExtension
from signals.models import Signal
from tests.pib.factories import PersonFactory, municipality

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 5)


def codes(**filters):
    return sorted(Signal.objects.filter(**filters).values_list("code", "municipality__code"))


def test_elip_person_is_a_person_with_a_letter():
    assert is_elip_person(PersonFactory(elip=True))
    assert not is_elip_person(PersonFactory())


def test_extension_emits_ss401_and_moves_term_end():
    person = PersonFactory(elip=True, term_end=dt.date(2024, 7, 1))
    extension = term_extension_add(
        person=person, kind="Coronamaatregelen", new_end=dt.date(2025, 1, 1), granted_on=DAY, on_date=DAY
    )
    assert extension.previous_end == dt.date(2024, 7, 1)
    assert Person.objects.get(pk=person.pk).term_end == dt.date(2025, 1, 1)
    signal = Signal.objects.get()
    assert (signal.code, signal.municipality.code, signal.placed_on) == ("SS401", "GM0363", DAY)


def test_extension_not_after_current_end_is_refused_and_changes_nothing():
    person = PersonFactory(elip=True, term_end=dt.date(2024, 7, 1))
    with pytest.raises(ValidationError, match="nieuwe einddatum"):
        term_extension_add(person=person, kind="X", new_end=dt.date(2024, 7, 1), granted_on=DAY)
    assert not TermExtension.objects.exists() and not Signal.objects.exists()


def test_term_end_change_emits_ss401_only():
    person = PersonFactory(elip=True)
    person_term_end_change(person=person, term_end=dt.date(2026, 1, 1))
    assert codes() == [("SS401", "GM0363")]


def test_obligation_end_emits_ss402():
    person = PersonFactory(elip=True)
    obligation_end(person=person, status=ObligationStatus.MET)
    assert codes() == [("SS402", "GM0363")]


def test_obligation_change_between_ended_statuses_or_back_emits_nothing():
    person = PersonFactory(elip=True, obligation_status=ObligationStatus.MET)
    person_update(person=person, obligation_status=ObligationStatus.EXEMPTED)
    person_update(person=person, obligation_status=ObligationStatus.OBLIGED)
    assert codes() == []


def test_move_emits_ss404_to_old_and_ss403_to_new_municipality():
    person = PersonFactory(elip=True, code="GM0363")
    person_move(
        person=person,
        municipality=municipality("GM0599"),
        street="Coolsingel",
        house_number=40,
        postcode="3011 AD",
        city="Rotterdam",
        on_date=DAY,
    )
    assert codes() == [("SS403", "GM0599"), ("SS404", "GM0363")]
    assert Person.objects.get(pk=person.pk).city == "Rotterdam"


def test_move_within_municipality_emits_nothing():
    person = PersonFactory(elip=True, code="GM0363")
    person_move(person=person, municipality=person.municipality, street="Damrak", house_number=1)
    assert codes() == []


def test_non_elip_person_changes_emit_nothing():
    person = PersonFactory()
    term_extension_add(person=person, kind="X", new_end=dt.date(2025, 1, 1), granted_on=DAY)
    obligation_end(person=person, status=ObligationStatus.MET)
    person_move(person=person, municipality=municipality("GM0599"))
    assert Signal.objects.count() == 0


def test_unchanged_values_emit_nothing():
    person = PersonFactory(elip=True)
    person_update(person=person, term_end=person.term_end, municipality=person.municipality)
    person_update(person=person, first_names="Anders")
    assert codes() == []


def test_signal_is_rolled_back_with_its_cause():
    person = PersonFactory(elip=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        person_term_end_change(person=person, term_end=dt.date(2026, 1, 1))
        raise RuntimeError
    assert not Signal.objects.exists()
    assert Person.objects.get(pk=person.pk).term_end == dt.date(2024, 7, 1)


def test_invalid_update_raises_dutch_error_and_emits_nothing():
    person = PersonFactory(elip=True)
    with pytest.raises(ValidationError):
        person_update(person=person, term_end=dt.date(2000, 1, 1))  # before term_start
    assert not Signal.objects.exists()
