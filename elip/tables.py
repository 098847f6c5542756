"""'Overzicht ELIP' (manual §4.1.1) as a django-tables2 table.

Sorting uses column names only (``?sorteer=naam``); a BSN value never appears in a URL.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from pib.formatting import date_figures, date_words, euro


class PersonTable(tables.Table):
    caption = "ELIP-inburgeraars"

    bsn = tables.Column("BSN", accessor="bsn")
    naam = tables.Column(
        "Naam",
        accessor="full_name",
        order_by=("last_name", "first_names", "prefix"),
        linkify=lambda record: reverse("elip:person_detail", kwargs={"public_id": record.public_id}),
        attrs={"a": {"class": "utrecht-link"}},
    )
    geboortedatum = tables.Column("Geboortedatum", accessor="birth_date")
    einddatum = tables.Column("Einddatum inburgeringstermijn", accessor="term_end")
    lening = tables.Column(
        "Resterende lening",
        accessor="loan_remaining",
        attrs={
            "th": {"class": "utrecht-table__cell--numeric-column"},
            "td": {"class": "utrecht-table__cell utrecht-table__cell--numeric-data"},
        },
    )

    class Meta:
        template_name = "partials/table.html"
        attrs = {"class": "utrecht-table", "td": {"class": "utrecht-table__cell"}}  # NL Design System table
        order_by = ("naam",)
        empty_text = "Er zijn geen ELIP-inburgeraars in uw gemeente."
        # Names of the GET parameters: Dutch, and never data.
        order_by_field = "sorteer"
        page_field = "pagina"
        per_page_field = "per_pagina"  # ignored by the view: the page size is fixed

    def render_naam(self, value):
        return format_html("<bdi>{}</bdi>", value)  # a name's own direction stays inside it

    def render_geboortedatum(self, value):
        return date_figures(value)

    def render_einddatum(self, value):
        return date_words(value)

    def render_lening(self, value):
        return euro(value)
