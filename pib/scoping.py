"""The one place that decides what a municipality's staff may see (DOMAIN.md "Visibility and roles").

A municipality sees a person only once the ELIP letter was sent and only while the person
lives there; it sees only the signals sent to it. Every view, CSV, PDF and print page goes
through these two functions; anything outside them answers 404.
"""

from django.db.models import QuerySet

from signals.models import Signal

from .models import Municipality, Person


def visible_persons(municipality: Municipality | None) -> QuerySet[Person]:
    if municipality is None:
        return Person.objects.none()
    return Person.objects.filter(municipality=municipality, elip_letter__isnull=False)


def visible_signals(municipality: Municipality | None) -> QuerySet[Signal]:
    if municipality is None:
        return Signal.objects.none()
    return Signal.objects.filter(municipality=municipality)
