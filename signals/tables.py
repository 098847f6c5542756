"""The table of "Selecteren signalen" (django-tables2). Every sort has the primary key as a
tie-breaker, so paging through a sorted list never shows a signal twice or skips one."""

import django_tables2 as tables
from django.urls import reverse
from django_tables2.data import TableQuerysetData

from .models import Signal


def person_detail_url(public_id) -> str:
    """The person's detail screen (Raadplegen ELIP personen), by its opaque id."""
    return reverse("elip:person_detail", kwargs={"public_id": public_id})


class PageByIdsData(TableQuerysetData):
    """A page is fetched in two steps ("deferred join"): the ids of the page from the ordered
    queryset (an index-only scan for the date sort), then those rows with person and contact
    person. A deep page then skips ids only, not joined rows with their contact subquery."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self.data[key]
        ids = list(self.data.values_list("pk", flat=True)[key])
        rows = {signal.pk: signal for signal in self.data.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


class SignalTable(tables.Table):
    """Columns, their headers and sort orders, and paging. The template renders the page's
    records itself (checkbox + status, BSN link), which is cheaper than per-cell rendering."""

    status = tables.Column(verbose_name="Status", order_by=("status", "pk"))
    bsn = tables.Column(verbose_name="BSN", accessor="person__bsn", order_by=("person__bsn", "pk"))
    surname = tables.Column(
        verbose_name="Achternaam", accessor="person__surname", order_by=("person__last_name", "person__prefix", "pk")
    )
    doelgroep = tables.Column(verbose_name="Doelgroep", accessor="person__law", order_by=("person__law", "pk"))
    code = tables.Column(verbose_name="Code", order_by=("code", "pk"))
    description = tables.Column(verbose_name="Omschrijving", accessor="description", order_by=("code", "pk"))
    placed_on = tables.DateColumn(verbose_name="Datum", format="d-m-Y", order_by=("placed_on", "pk"))
    contact_name = tables.Column(verbose_name="Contactpersoon", order_by=("contact_name", "pk"), default="")

    class Meta:
        model = Signal
        # The manual's order (§3.2.1): status, BSN, achternaam, doelgroep, code, omschrijving, datum,
        # contactpersoon. The doelgroep is the law the person falls under (Wi2013 for ELIP persons).
        fields = ("status", "bsn", "surname", "doelgroep", "code", "description", "placed_on", "contact_name")
        order_by_field = "sortering"
        page_field = "pagina"
        empty_text = "Er zijn geen signalen gevonden op basis van de opgegeven criteria."

    def __init__(self, data, **kwargs):
        super().__init__(PageByIdsData(data), **kwargs)
