"""Reads of signals. Every read starts from ``Signal.objects.filter_for_user(user, municipality)``
(``signals.querysets``: the municipality's own, for a user holding the signals role there)."""

import datetime as dt

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Trim

from pib.access import municipality_ids_with_role
from pib.constants import ObligationStatus, Role
from pib.models import Person

from .constants import SignalCode, SignalStatus
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
            "person__municipality_id",
            "person__law",
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


# --- Which persons a municipality may still open (DOMAIN.md "Visibility and roles") -----------


def still_shared(municipality) -> Q:
    """On Person: the obligation is active, or it ended while the SS402 signal that told
    ``municipality`` so still exists. The one home of this rule (DOMAIN.md: when the obligation
    ends the person leaves "Overzicht ELIP", stays reachable from the SS402 signal, and is not
    visible at all once that signal is gone); ``elip.selectors.persons_reachable`` and the links
    of the signal list use it. The signal's existence counts, whoever may read signals."""
    ss402 = Signal.objects.filter(municipality=municipality, code=SignalCode.SS402, person_id=OuterRef("pk"))
    return Q(obligation_status=ObligationStatus.OBLIGED) | Exists(ss402)


def obligation_ended_on(municipality, person) -> dt.date | None:
    """The date the obligation ended, as the SS402 signal to the municipality says (None: none)."""
    return (
        Signal.objects.filter(municipality=municipality, code=SignalCode.SS402, person=person)
        .order_by("-placed_on", "-pk")
        .values_list("placed_on", flat=True)
        .first()
    )


def linkable_person_ids(user, municipality, person_ids) -> set[int]:
    """Of ``person_ids``, those whose screen ``user`` may open from the signal list (one query for
    a page): living in ``municipality`` (a person who moved out is "verhuisd", never a link),
    ``user`` holding "Raadplegen ELIP personen" there, and ``still_shared``. Signals are only ever
    sent about ELIP persons, so the letter is implied (``elip.selectors.visible_persons``)."""
    if municipality is None:
        return set()
    return set(
        Person.objects.filter(
            pk__in=set(person_ids),
            municipality=municipality,
            municipality_id__in=municipality_ids_with_role(user, Role.ELIP_PERSONS),
        )
        .filter(still_shared(municipality))
        .values_list("pk", flat=True)
    )
