"""The table of "Selecteren signalen" (django-tables2). Every sort has the primary key as a
tie-breaker, so paging through a sorted list never shows a signal twice or skips one."""

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from .models import Signal

PERSON_DETAIL_URL = "elip:person_detail"


def person_detail_url(public_id) -> str | None:
    """The person's detail screen (built by the persons part); None while it does not exist."""
    try:
        return reverse(PERSON_DETAIL_URL, kwargs={"public_id": public_id})
    except NoReverseMatch:
        return None


class SignalTable(tables.Table):
    status = tables.Column(verbose_name="Status", order_by=("status", "pk"))
    bsn = tables.Column(verbose_name="BSN", accessor="person__bsn", order_by=("person__bsn", "pk"))
    surname = tables.Column(
        verbose_name="Achternaam", accessor="person__surname", order_by=("person__last_name", "person__prefix", "pk")
    )
    code = tables.Column(verbose_name="Code", order_by=("code", "pk"))
    description = tables.Column(verbose_name="Omschrijving", accessor="description", order_by=("code", "pk"))
    placed_on = tables.DateColumn(verbose_name="Datum", format="d-m-Y", order_by=("placed_on", "pk"))
    contact_name = tables.Column(verbose_name="Contactpersoon", order_by=("contact_name", "pk"), default="")

    class Meta:
        model = Signal
        fields = ("status", "bsn", "surname", "code", "description", "placed_on", "contact_name")
        order_by_field = "sortering"
        page_field = "pagina"
        per_page = 20
        empty_text = "Er zijn geen signalen gevonden op basis van de opgegeven criteria."

    def render_status(self, record):
        return format_html(
            '<input type="checkbox" class="js-signal-select" name="signaal" value="{}" id="signaal-{}">'
            '<label for="signaal-{}">{}</label>',
            record.pk,
            record.pk,
            record.pk,
            record.get_status_display(),
        )

    def render_code(self, record):
        return record.code

    def render_bsn(self, record):
        url = person_detail_url(record.person.public_id)
        if url is None:
            return record.person.bsn
        return format_html('<a href="{}">{}</a>', url, record.person.bsn)
