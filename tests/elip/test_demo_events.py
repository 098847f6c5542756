import io

import pytest
from django.core.management import call_command

from pib.models import Person
from signals.models import PersonContact, Signal
from tests.pib.factories import PersonFactory
from tests.signals.factories import signals_user

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("demo_events", *args, stdout=out)
    return out.getvalue()


def test_demo_events_emit_through_services_print_no_bsn_and_run_once():
    persons = [PersonFactory(elip=True, code="GM0363") for _ in range(4)] + [
        PersonFactory(elip=True, code="GM0599") for _ in range(4)
    ]
    signals_user("GM0363")
    output = run("--seed", "7", "--events", "6")
    codes = set(Signal.objects.values_list("code", flat=True))
    assert {"SS401", "SS402", "SS403", "SS404"} <= codes
    assert Signal.objects.filter(code="SS403").count() == Signal.objects.filter(code="SS404").count() == 2
    for person in Person.objects.all():
        assert person.bsn not in output
    assert "6 gebeurtenissen toegepast." in output
    assert PersonContact.objects.exists()
    before = Signal.objects.count()
    assert "al toegepast" in run("--seed", "7")
    assert Signal.objects.count() == before
    assert len(persons) == 8


def test_demo_events_without_elip_persons_does_nothing():
    assert "Geen ELIP-personen" in run()
    assert not Signal.objects.exists()


def test_demo_events_are_deterministic_for_a_seed():
    from django.db import transaction

    for _ in range(6):
        PersonFactory(elip=True, code="GM0363")
        PersonFactory(elip=True, code="GM0599")
    outputs = []
    for _ in range(2):
        with transaction.atomic():
            outputs.append(run("--seed", "11", "--events", "5"))
            transaction.set_rollback(True)
    assert outputs[0] == outputs[1]
    with transaction.atomic():
        other = run("--seed", "12", "--events", "5")
        transaction.set_rollback(True)
    assert other != outputs[0]
