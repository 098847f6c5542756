"""ELIP factories: municipality enrolment states and run records.

enrol("GM0014")                  # enrolled (aangemeld) with letter phone/e-mail
enrol("GM0014", withdrawn=True)  # enrolled once, then withdrawn (afgemeld)
SelectionRunFactory(run_date=date(2023, 6, 14))
"""

import datetime as dt

import factory
from django.utils import timezone

from elip.constants import EnrolmentStatus, RunStatus
from elip.models import ElipEnrolment, RunMunicipality, SelectionRun
from elip.selectors import active_policy
from tests.pib.factories import municipality


class ElipEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ElipEnrolment
        django_get_or_create = ["municipality"]

    municipality = factory.LazyFunction(lambda: municipality("GM0363"))
    status = EnrolmentStatus.ENROLLED
    letter_phone = "+31202552909"  # stored normalised (E.164), as the enrolment service does
    letter_email = "inburgering@gemeente.nl"
    letter_website = "www.gemeente.nl/inburgering"
    contact_name = "Contactpersoon DUO"
    enrolled_at = factory.LazyFunction(timezone.now)

    class Params:
        withdrawn = factory.Trait(status=EnrolmentStatus.WITHDRAWN, withdrawn_at=factory.LazyFunction(timezone.now))


def enrol(code: str, *, withdrawn: bool = False, **fields) -> ElipEnrolment:
    return ElipEnrolmentFactory(municipality=municipality(code), withdrawn=withdrawn, **fields)


class SelectionRunFactory(factory.django.DjangoModelFactory):
    """A finished run record (no letters): for the dispatch overview."""

    class Meta:
        model = SelectionRun
        django_get_or_create = ["run_date"]

    run_date = dt.date(2023, 6, 14)
    iso_year = factory.LazyAttribute(lambda o: o.run_date.isocalendar()[0])
    iso_week = factory.LazyAttribute(lambda o: o.run_date.isocalendar()[1])
    policy = factory.LazyAttribute(lambda o: active_policy(o.run_date))
    status = RunStatus.DONE
    finished_at = factory.LazyFunction(timezone.now)


def dispatched(run_date: dt.date, code: str, count: int) -> RunMunicipality:
    """A run on ``run_date`` that sent ``count`` letters for municipality ``code``."""
    run = SelectionRunFactory(run_date=run_date)
    return RunMunicipality.objects.create(run=run, municipality=municipality(code), letters_count=count)
