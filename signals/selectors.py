"""Reads of signals. Every read starts from ``Signal.objects.filter_for_user(user, municipality)``
(``signals.querysets``: the municipality's own, for a user holding the signals role there)."""

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Trim

from .constants import SignalStatus
from .models import PersonContact, Signal


def contact_name_subquery():
    """The name of the municipality's contact person for the signal's person (one correlated subquery)."""
    return Subquery(
        PersonContact.objects.filter(municipality_id=OuterRef("municipality_id"), person_id=OuterRef("person_id"))
        .annotate(name=Trim(Concat("user__first_name", Value(" "), "user__last_name", output_field=CharField())))
        .values("name")[:1],
        output_field=CharField(),
    )


def signals_for_list(user, municipality) -> QuerySet[Signal]:
    """The municipality's signals with what the list, print page and CSV show: person and contact name."""
    return (
        Signal.objects.filter_for_user(user, municipality)
        .select_related("person")
        .only(
            "id",
            "status",
            "code",
            "placed_on",
            "municipality_id",
            "person__id",
            "person__public_id",
            "person__bsn",
            "person__prefix",
            "person__last_name",
            "person__first_names",
        )
        .annotate(contact_name=contact_name_subquery())
    )


def open_signals_count(user, municipality) -> int:
    """Signals not yet Afgehandeld (Nieuw or In behandeling): the count on "Zoeken signalen"."""
    return Signal.objects.filter_for_user(user, municipality).exclude(status=SignalStatus.DONE).count()
