"""The control room's tables (django-tables2 over the selectors' rows; sorting and paging through
pib.tables: column names only in the URL, fixed page size)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from pib.formatting import date_figures, number

NUMERIC = {"td": {"class": "numeric"}, "th": {"class": "numeric"}}


def duration(seconds) -> str:
    """``3725`` → ``1 u 02 min``; under a minute ``45 s``; None → ``–``."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return f"{hours} u {minutes:02d} min" if hours else f"{minutes} min"


class _Meta:
    template_name = "partials/table.html"
    attrs = {"class": "table"}
    order_by_field = "sorteer"
    page_field = "pagina"
    per_page_field = "per_pagina"  # ignored: the page size is fixed (pib.tables)


class CountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, attrs=NUMERIC, **kwargs)

    def render(self, value):
        return number(value)


class RunTable(tables.Table):
    caption = "Wekelijkse runs"

    datum = tables.Column(
        "Datum run",
        accessor="run_date",
        linkify=lambda record: reverse("controlroom:run_detail", kwargs={"run_date": record.run_date.isoformat()}),
    )
    status = tables.Column("Status", accessor="run__status", orderable=False)
    gemeenten = CountColumn("Gemeenten", accessor="municipalities")
    geselecteerd = CountColumn("Geselecteerd", accessor="selected")
    brieven = CountColumn("Brieven", accessor="letters")
    aangemaakt = CountColumn("PDF aangemaakt", accessor="rendered")
    wachtend = CountColumn("PDF wachtend", accessor="pending")
    mislukt = CountColumn("PDF mislukt", accessor="failed")
    bundels = CountColumn("Bundels", accessor="bundles")
    ontbrekend = CountColumn("Bundels ontbrekend", accessor="bundles_missing")
    duur_selectie = tables.Column("Duur selectie", accessor="selection_seconds", attrs=NUMERIC)
    duur_totaal = tables.Column("Duur tot laatste bundel", accessor="total_seconds", attrs=NUMERIC)
    meldingen = CountColumn("Open meldingen", accessor="open_alerts")

    class Meta(_Meta):
        order_by = ("-datum",)
        empty_text = "Er zijn nog geen runs."

    def render_datum(self, value):
        return date_figures(value)

    def render_status(self, record):
        return record.run.get_status_display()

    def render_duur_selectie(self, value):
        return duration(value)

    def render_duur_totaal(self, value):
        return duration(value)


class MunicipalityTable(tables.Table):
    caption = "Per gemeente"

    code = tables.Column("Code", accessor="code")
    gemeente = tables.Column("Gemeente", accessor="name")
    geselecteerd = CountColumn("Geselecteerd", accessor="selected")
    brieven = CountColumn("Brieven", accessor="letters")
    aangemaakt = CountColumn("PDF aangemaakt", accessor="rendered")
    wachtend = CountColumn("PDF wachtend", accessor="pending")
    mislukt = CountColumn("PDF mislukt", accessor="failed")
    bundel = tables.Column("Bundel", accessor="bundle")
    meldingen = CountColumn("Open meldingen", accessor="open_alerts")
    acties = tables.Column("Acties", empty_values=(), orderable=False)

    class Meta(_Meta):
        order_by = ("code",)
        empty_text = "Geen gemeente deed mee aan deze run."

    def __init__(self, *args, run=None, may_act=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.run, self.may_act = run, may_act

    def render_bundel(self, record):
        if record.bundle and record.bundle_letters < record.letters:
            return f"onvolledig ({number(record.bundle_letters)} van {number(record.letters)} brieven)"
        if record.bundle:
            return f"ja ({number(record.bundle_letters)} brieven)"
        return "ontbreekt" if record.bundle_needed else "niet nodig"

    def render_acties(self, record):
        if not self.may_act or self.run is None:
            return "–"
        links = []
        kwargs = {"run_date": self.run.run_date.isoformat(), "code": record.code}
        if record.failed:
            links.append(
                format_html(
                    '<a href="{}">Mislukte PDF\'s opnieuw maken<span class="visually-hidden"> ({})</span></a>',
                    reverse("controlroom:rerender_municipality", kwargs=kwargs),
                    record.name,
                )
            )
        if record.bundle_needed and not record.pending and not record.failed:
            links.append(
                format_html(
                    '<a href="{}">Bundel opnieuw maken<span class="visually-hidden"> ({})</span></a>',
                    reverse("controlroom:rebuild_bundle", kwargs=kwargs),
                    record.name,
                )
            )
        return format_html(" · ".join(["{}"] * len(links)), *links) if links else "–"
