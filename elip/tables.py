"""'Overzicht ELIP' (manual §4.1.1) and the Werkvoorraad as django-tables2 tables.

Sorting uses column names only (``?sorteer=naam``); a BSN value never appears in a URL.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django_tables2.data import TableQuerysetData

from pib.formatting import date_figures, date_words, euro
from signals.tables import person_detail_url

from .routes import attach_routes, routes


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


class OrderedIdsData(TableQuerysetData):
    """The whole list's ids in its order, in one query — their number is the count, so no COUNT query
    repeats the join and the sort — then only the page's rows with their annotations (the route
    figures). A municipality's worklist is thousands of ids at most: a few kB."""

    _ids = None
    on_page = None  # called with the page's rows once loaded (the Werkvoorraad: ``attach_routes``)

    def ordered_ids(self) -> list[int]:
        if self._ids is None:
            self._ids = list(self.data.values_list("pk", flat=True))
        return self._ids

    def order_by(self, aliases):
        super().order_by(aliases)
        self._ids = None

    def __len__(self):
        return len(self.ordered_ids())

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self.data[key]
        ids = self.ordered_ids()[key]
        rows = {person.pk: person for person in self.data.order_by().filter(pk__in=ids)}
        page = [rows[pk] for pk in ids if pk in rows]
        return self.on_page(page) if self.on_page else page


class WorklistTable(tables.Table):
    """Werkvoorraad: one row per ELIP person, in urgency order unless a header is clicked. A page is
    fetched by ids first (``OrderedIdsData``: all ordered ids in one query, then those 20 rows with
    their route figures), so the count and a deep page cost no extra join.

    ``linkable`` is the id of the municipality whose persons' screens open from here (the chosen
    one; a person's screens open only with their own municipality chosen): other rows show the BSN
    without a link. ``today`` dates the weeks left and the route line."""

    caption = "Werkvoorraad ELIP-inburgeraars"

    bsn = tables.Column("BSN", order_by=("bsn",))
    naam = tables.Column("Naam", accessor="full_name", order_by=("last_name", "first_names", "prefix", "pk"))
    gemeente = tables.Column("Gemeente", accessor="municipality__name", order_by=("municipality__name", "pk"))
    einddatum = tables.Column("Einde termijn", accessor="term_end", order_by=("term_end", "pk"))
    weken = tables.Column(
        "Weken over",
        accessor="term_end",
        order_by=("term_end", "pk"),
        attrs={
            "th": {"class": "utrecht-table__cell--numeric-column"},
            "td": {"class": "utrecht-table__cell utrecht-table__cell--numeric-data"},
        },
    )
    route = tables.Column("Route", accessor="route_status", order_by=("route_status", "term_end", "pk"))
    aandacht = tables.Column("Aandachtspunten", accessor="pk", orderable=False)

    class Meta:
        template_name = "partials/table.html"
        attrs = {"class": "utrecht-table worklist", "td": {"class": "utrecht-table__cell"}}  # NL Design System table
        empty_text = "Er zijn geen ELIP-inburgeraars die aan deze filters voldoen."
        order_by_field = "sorteer"
        page_field = "pagina"
        per_page_field = "per_pagina"  # ignored: the page size is fixed

    def __init__(self, data, *, linkable: int | None, today, regional: bool, **kwargs):
        exclude = () if regional else ("gemeente",)
        rows = OrderedIdsData(data)
        rows.on_page = attach_routes  # the route figures of the page's 20 rows, in one query
        super().__init__(rows, exclude=exclude, **kwargs)
        self.linkable, self.today = linkable, today

    def render_bsn(self, value, record):
        if record.municipality_id != self.linkable:
            return value
        return format_html('<a class="utrecht-link" href="{}">{}</a>', person_detail_url(record.public_id), value)

    def render_naam(self, value):
        return format_html("<bdi>{}</bdi>", value)

    def render_einddatum(self, value):
        return date_figures(value)

    def render_weken(self, value):
        return "verstreken" if value < self.today else str((value - self.today).days // 7)

    def render_route(self, record):
        return routes(record, self.today).advice

    def render_aandacht(self, record):
        flags = []
        if record.term_end < self.today:
            flags.append("Termijn verstreken")
        if record.quality_mark_lost:
            flags.append("School verloor keurmerk")
        if record.contact_is_me:
            flags.append("U bent contactpersoon")
        return format_html_join(" ", '<span class="tag">{}</span>', ((f,) for f in flags)) or ""

    def prerendered_rows(self) -> list[list[tuple[str, str]]]:
        """The page's cells as ``(td attributes, content)``, from the render methods above called
        directly: django-tables2 inspects a render method's signature for every cell, a third of
        the page's time (``partials/table.html`` renders these when a table offers them)."""
        if self.page is None:
            return []
        cells = {
            "bsn": lambda person: self.render_bsn(person.bsn, person),
            "naam": lambda person: self.render_naam(person.full_name),
            "gemeente": lambda person: person.municipality.name,
            "einddatum": lambda person: self.render_einddatum(person.term_end),
            "weken": lambda person: self.render_weken(person.term_end),
            "route": self.render_route,
            "aandacht": self.render_aandacht,
        }
        columns = [(cells[column.name], column.attrs["td"].as_html()) for column in self.columns]
        return [[(td, cell(row.record)) for cell, td in columns] for row in self.page.object_list]
