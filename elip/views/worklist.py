"""Werkvoorraad (issue 14): the ELIP persons of the chosen municipality — or, for a regional team,
of every municipality where the user holds "Raadplegen ELIP personen" — in urgency order
(``elip.worklist``), filtered, sortable, paged, and as CSV.

Scoping comes only from ``elip.selectors.elip_persons_listed`` / ``elip_persons_listed_region``;
the filters (GET, ``elip.forms.WorklistFilterForm``) only narrow. A bad filter value is a Dutch
form error (400) and shows no list. Every page and every CSV writes read-log rows for the persons
it shows, each under the municipality whose role allowed the read. A person's BSN links to their
screens only where that link can be followed: with their own municipality chosen.
"""

from collections import defaultdict

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from pib.access import role_required
from pib.constants import Role
from pib.formatting import date_figures
from pib.readlog import log_read
from pib.tables import pager, same_query_page_url, table_configure
from signals.export import csv_chunks, csv_response, neutralise

from ..forms import WorklistFilterForm
from ..routes import RouteStatus, routes, with_routes
from ..selectors import elip_persons_listed, elip_persons_listed_region, regional_municipalities
from ..tables import WorklistTable
from ..worklist import worklist, worklist_filter

ROLE = Role.ELIP_PERSONS
SCREEN = "Werkvoorraad"
SCREEN_REGION = "Werkvoorraad regio"
CSV_HEADER = [
    "Gemeente",
    "BSN",
    "Achternaam",
    "Voornamen",
    "Einde termijn",
    "Weken over",
    "Route",
    "Advies",
    "School verloor keurmerk",
    "Datum ELIP-brief",
]


def _log(request, persons, screen) -> None:
    """Read-log ``persons``, each under their own municipality (one INSERT per municipality)."""
    by_municipality = defaultdict(list)
    for person in persons:
        by_municipality[person.municipality].append(person)
    for municipality, shown in by_municipality.items():
        log_read(request, screen=screen, persons=shown, role=ROLE, municipality=municipality)


def _persons(request, regional: bool):
    if regional:
        return elip_persons_listed_region(request.user)
    return elip_persons_listed(request.user, request.municipality)


def _filtered(request, regional: bool):
    """(form, the filtered worklist or None when the form has errors, today)."""
    today = timezone.localdate()
    form = WorklistFilterForm(request.GET)
    if not form.is_valid():
        return form, None, today
    rows = worklist(_persons(request, regional), user=request.user, today=today)
    return form, worklist_filter(rows, form.filters(), today=today), today


def _screen(request, *, regional: bool):
    form, rows, today = _filtered(request, regional)
    municipalities = list(regional_municipalities(request.user))
    context = {
        "form": form,
        "regional": regional,
        "municipalities": municipalities,
        "urgency_sorted": not request.GET.get("sorteer"),
        "unsorted_url": _url_without(request, "sorteer", "pagina"),
        "csv_url": reverse("elip:worklist_region_csv" if regional else "elip:worklist_csv") + _query(request, "pagina"),
    }
    if rows is None:
        return render(request, "elip/worklist.html", context, status=400)
    table = WorklistTable(
        rows.select_related("municipality"),
        linkable=request.municipality.pk,
        today=today,
        regional=regional,
    )
    table_configure(table, request)
    shown = [row.record for row in table.page.object_list] if table.page else []
    if shown:
        _log(request, shown, SCREEN_REGION if regional else SCREEN)
    context |= {
        "table": table,
        "count": table.paginator.count,
        "pager": pager(table, same_query_page_url(request, table)),
    }
    return render(request, "elip/worklist.html", context)


def _query(request, *drop) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return f"?{params.urlencode()}" if params else ""


def _url_without(request, *drop) -> str:
    return request.path + _query(request, *drop)


@role_required(ROLE)
@require_safe
def worklist_view(request):
    """Werkvoorraad of the chosen municipality."""
    return _screen(request, regional=False)


@role_required(ROLE)
@require_safe
def worklist_region(request):
    """Werkvoorraad regio: one list across the municipalities where the user holds the role."""
    return _screen(request, regional=True)


def _csv_row(today):
    def row(person) -> list[str]:
        route = routes(person, today)
        return [
            neutralise(person.municipality.name),
            neutralise(person.bsn),
            neutralise(person.surname),
            neutralise(person.first_names),
            date_figures(person.term_end),
            "verstreken" if person.term_end < today else str(route.weeks_left),
            neutralise(RouteStatus.LABELS[person.route_status]),
            neutralise(route.advice),
            "ja" if person.quality_mark_lost else "nee",
            date_figures(person.letter_date),
        ]

    return row


def _csv(request, *, regional: bool):
    form, rows, today = _filtered(request, regional)
    if rows is None:
        context = {"form": form, "regional": regional, "municipalities": [], "csv_url": ""}
        return render(request, "elip/worklist.html", context, status=400)
    screen = f"{SCREEN_REGION if regional else SCREEN} (CSV)"
    chunks = csv_chunks(
        with_routes(rows).select_related("municipality"),
        on_chunk=lambda persons: _log(request, persons, screen),
        header=CSV_HEADER,
        row=_csv_row(today),
        person=lambda person: person,
    )
    scope = "regio" if regional else request.municipality.code
    return csv_response(chunks, f"werkvoorraad-{scope}-{today:%Y%m%d}.csv")


@role_required(ROLE)
@require_safe
def worklist_csv(request):
    """The Werkvoorraad of the chosen municipality as CSV (its filters and urgency order)."""
    return _csv(request, regional=False)


@role_required(ROLE)
@require_safe
def worklist_region_csv(request):
    """The regional Werkvoorraad as CSV."""
    return _csv(request, regional=True)
