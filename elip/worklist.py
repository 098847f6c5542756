"""Werkvoorraad (issue 14): reads for the worklist of ELIP persons — who needs help first.

Guarantees:

* Scoping is never decided here: ``worklist`` takes an already-scoped queryset —
  ``elip.selectors.elip_persons_listed`` (one municipality) or ``elip_persons_listed_region`` (every
  municipality where the user holds "Raadplegen ELIP personen") — and only annotates, filters and
  orders it, so no filter value can widen what the user may see.
* Set-based: the urgency, the route status (``elip.routes.with_route_status``: from the person's
  own columns, no subquery), the quality-mark flag (``elip.selectors.enrolled_at_lost_institution``)
  and the contact person are annotations; a page costs the same number of queries whatever its length or
  its number (``elip.tables.WorklistTable``: all ordered ids in one query, then the page's rows).
* The urgency order (``URGENCY_ORDER``), stated so it can be challenged (docs/portal.md):
  1. the term end: passed or within 3 months first, then within 6 months, then later;
  2. within each of those: "Ontheffing binnen bereik" first (help now still makes the difference),
     then "Geen route binnen bereik", then "Route gehaald" (only the request is left);
  3. then the earliest term end, then the name.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When

from pib.dates import add_months
from pib.models import Person
from signals.models import PersonContact

from .routes import RouteStatus, with_route_status
from .selectors import enrolled_at_lost_institution

SOON_MONTHS, LATER_MONTHS = 3, 6


class Band:
    """Urgency by term end (``urgency_band``)."""

    SOON = 0  # passed, or ends within 3 months
    LATER = 1  # ends within 6 months
    REST = 2


URGENCY_ORDER = ("urgency_band", "route_status", "term_end", "last_name", "first_names", "pk")


@dataclass(frozen=True)
class WorklistFilters:
    """The filters of the screen (all optional): ``term_months`` 3 or 6 (term end passed or within
    that many months), ``route`` a ``RouteStatus`` value, ``new_since`` (ELIP letter on or after the
    date: "ELIP sinds" is the letter date), ``mine`` (the user is the person's contact person for
    the person's municipality), ``quality_mark_lost`` (enrolled at an institution that lost its
    Blik op Werk mark)."""

    term_months: int | None = None
    route: int | None = None
    new_since: dt.date | None = None
    mine: bool = False
    quality_mark_lost: bool = False


def worklist(persons: QuerySet[Person], *, user, today: dt.date) -> QuerySet[Person]:
    """``persons`` annotated for the worklist and ordered by urgency (see the module docstring):
    ``route_status``, ``urgency_band``, ``quality_mark_lost``, ``letter_date``, ``contact_is_me``."""
    mine = PersonContact.objects.filter(
        municipality_id=OuterRef("municipality_id"), person_id=OuterRef("pk"), user_id=user.pk
    )
    return (
        with_route_status(persons, today)
        .annotate(
            urgency_band=Case(
                When(term_end__lte=add_months(today, SOON_MONTHS), then=Value(Band.SOON)),
                When(term_end__lte=add_months(today, LATER_MONTHS), then=Value(Band.LATER)),
                default=Value(Band.REST),
                output_field=IntegerField(),
            ),
            quality_mark_lost=enrolled_at_lost_institution(),
            letter_date=F("elip_letter__letter_date"),
            contact_is_me=Exists(mine),
        )
        .order_by(*URGENCY_ORDER)
    )


def worklist_filter(queryset: QuerySet[Person], filters: WorklistFilters, *, today: dt.date) -> QuerySet[Person]:
    """``queryset`` (from ``worklist``) narrowed by ``filters``; filters only ever narrow."""
    if filters.term_months:
        queryset = queryset.filter(term_end__lte=add_months(today, filters.term_months))
    if filters.route is not None:
        queryset = queryset.filter(route_status=filters.route)
    if filters.new_since:
        queryset = queryset.filter(letter_date__gte=filters.new_since)
    if filters.mine:
        queryset = queryset.filter(contact_is_me=True)
    if filters.quality_mark_lost:
        queryset = queryset.filter(quality_mark_lost=True)
    return queryset


ROUTE_CHOICES = [(str(value), label) for value, label in RouteStatus.LABELS.items()]
