"""The control room's screens (/beheer/controlekamer/): DUO functioneel beheer only (``access``).

Every view is wrapped in ``controlroom_view`` (deny by default; POSTs need the action permission
as well). Reads go through ``selectors``, writes through ``services``; a bad date or code in a URL
is a 404, a bad filter value shows the default list, never a 500.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from elip.models import SelectionRun
from pib.charts import Series, bar_chart, line_chart
from pib.formatting import date_figures
from pib.models import Municipality
from pib.tables import PAGE_SIZE, pager, same_query_page_url, table_configure

from .access import ACKNOWLEDGE_PERMISSION, admin_context, controlroom_view
from .constants import AlertStatus
from .models import Alert
from .selectors import (
    WEEKS,
    actions_listed,
    alerts_listed,
    failed_letter_ids,
    municipality_rows,
    run_rows,
    runs_recent,
)
from .services import ControlRoomError, alert_acknowledge, bundle_rebuild_request, failed_letters_rerender
from .tables import MunicipalityTable, RunTable

ALERT_FILTERS = (("open", "Open"), ("gezien", "Gezien"), ("opgelost", "Opgelost"), ("alle", "Alle"))


def _run(run_date: str) -> SelectionRun:
    try:
        day = dt.date.fromisoformat(run_date)
    except ValueError as exc:
        raise Http404("Geen geldige datum") from exc
    return get_object_or_404(SelectionRun.objects.select_related("policy"), run_date=day)


def _municipality(code: str) -> Municipality:
    return get_object_or_404(Municipality, code=code)


def weekly_charts(rows) -> list:
    """The last 52 weeks as charts (oldest left), each with its numbers as a table."""
    rows = list(reversed(rows))
    label = [date_figures(r.run_date) for r in rows]
    return [
        bar_chart(
            list(zip(label, [r.selected for r in rows], strict=True)),
            title="Brieven per week",
            description=f"Geselecteerde personen (ELIP-brieven) per wekelijkse run, de laatste {len(rows)} runs.",
            chart_id="chart-brieven",
            series_name="brieven",
            label_header="Run",
        ),
        bar_chart(
            [
                Series("PDF mislukt", list(zip(label, [r.failed for r in rows], strict=True))),
                Series("PDF wachtend", list(zip(label, [r.pending for r in rows], strict=True))),
                Series("bundel ontbreekt", list(zip(label, [r.bundles_missing for r in rows], strict=True))),
            ],
            title="Problemen per week",
            description="Mislukte en wachtende PDF's en ontbrekende bundels per run.",
            chart_id="chart-problemen",
            label_header="Run",
        ),
        line_chart(
            [
                Series(
                    "selectie en brieven", list(zip(label, [_minutes(r.selection_seconds) for r in rows], strict=True))
                ),
                Series("tot laatste bundel", list(zip(label, [_minutes(r.total_seconds) for r in rows], strict=True))),
            ],
            title="Duur per week (minuten)",
            description="Minuten van de start tot selectie en brieven klaar waren, en tot de laatste bundel.",
            chart_id="chart-duur",
            label_header="Run",
        ),
    ]


def _minutes(seconds):
    return None if seconds is None else round(seconds / 60, 1)


def _paged(request, items, keep: str = ""):
    """A page of ``PAGE_SIZE`` items (a bad or too large page number shows the first or last page)
    and the context of the one pager (partials/pager.html); ``keep`` is the query to keep ("a=b&")."""
    raw = str(request.GET.get("pagina", ""))
    page = Paginator(items, PAGE_SIZE).get_page(int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 1)
    if page.paginator.num_pages < 2:
        return page, None
    return page, {
        "number": page.number,
        "count": page.paginator.num_pages,
        "previous_url": f"?{keep}pagina={page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"?{keep}pagina={page.next_page_number()}" if page.has_next() else "",
    }


@controlroom_view
@require_safe
def overview(request):
    rows = run_rows(runs_recent(WEEKS))
    table = table_configure(RunTable(rows), request)
    open_alerts = list(alerts_listed(AlertStatus.OPEN)[:10])
    context = admin_context(
        request,
        "Controlekamer",
        last=rows[0] if rows else None,
        open_alerts=open_alerts,
        open_alert_count=alerts_listed(AlertStatus.OPEN).count(),
        charts=weekly_charts(rows),
        table=table,
        pager=pager(table, same_query_page_url(request, table)),
        weeks=len(rows),
    )
    return render(request, "controlroom/overview.html", context)


@controlroom_view
@require_safe
def runs(request):
    table = table_configure(RunTable(run_rows(SelectionRun.objects.order_by("-run_date"))), request)
    context = admin_context(request, "Runs", table=table, pager=pager(table, same_query_page_url(request, table)))
    return render(request, "controlroom/runs.html", context)


@controlroom_view
@require_safe
def run_detail(request, run_date):
    run = _run(run_date)
    (row,) = run_rows([run])
    table = table_configure(
        MunicipalityTable(municipality_rows(run), run=run, may_act=admin_context(request, "")["may_act"]), request
    )
    context = admin_context(
        request,
        f"Run {date_figures(run.run_date)}",
        run=run,
        row=row,
        failed_ids=len(failed_letter_ids(run)) if row.failed else 0,
        alerts=list(alerts_listed().filter(run=run)),
        table=table,
        pager=pager(table, same_query_page_url(request, table)),
    )
    return render(request, "controlroom/run_detail.html", context)


@controlroom_view
@require_safe
def alerts(request):
    chosen = request.GET.get("status", "open")
    if chosen not in dict(ALERT_FILTERS):
        chosen = "open"
    page, page_pager = _paged(request, alerts_listed(None if chosen == "alle" else chosen), f"status={chosen}&")
    filters = [
        {"value": value, "label": label, "url": f"?status={value}", "current": value == chosen}
        for value, label in ALERT_FILTERS
    ]
    context = admin_context(request, "Meldingen", alerts=page.object_list, filters=filters, pager=page_pager)
    return render(request, "controlroom/alerts.html", context)


@controlroom_view(action=True)
@require_POST
def alert_acknowledge_view(request, pk):
    alert = get_object_or_404(Alert, pk=pk)
    if not request.user.has_perm(ACKNOWLEDGE_PERMISSION):
        raise PermissionDenied
    alert_acknowledge(alert=alert, user=request.user)
    messages.success(
        request, f"Melding '{alert.get_kind_display()}' van {date_figures(alert.run_date)} is als gezien gemarkeerd."
    )
    target = request.POST.get("next", "")
    return redirect(
        target if target in (reverse("controlroom:overview"), reverse("controlroom:alerts")) else "controlroom:alerts"
    )


@controlroom_view
@require_safe
def actions(request):
    page, page_pager = _paged(request, actions_listed())
    context = admin_context(request, "Acties (logboek)", actions=page.object_list, pager=page_pager)
    return render(request, "controlroom/actions.html", context)


def _confirm_or_do(request, *, title, explanation, do, back):
    """GET: a confirmation page; POST (CSRF): do it, log it, and go back with a message."""
    if request.method == "POST":
        try:
            done = do()
        except ControlRoomError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return redirect(back)
    context = admin_context(request, title, explanation=explanation, back=back)
    return render(request, "controlroom/confirm.html", context)


@controlroom_view(action=True)
@require_http_methods(["GET", "HEAD", "POST"])
def rerender(request, run_date, code=None):
    run = _run(run_date)
    municipality = _municipality(code) if code else None
    count = len(failed_letter_ids(run, municipality.pk if municipality else None))
    where = f" van {municipality.name}" if municipality else ""
    back = reverse("controlroom:run_detail", kwargs={"run_date": run.run_date.isoformat()})

    def do():
        action = failed_letters_rerender(run=run, user=request.user, municipality=municipality)
        return f"{action.detail['brieven']} mislukte PDF('s){where} staan in de wachtrij om opnieuw te maken."

    return _confirm_or_do(
        request,
        title=f"Mislukte PDF's opnieuw maken{where}",
        explanation=(
            f"De run van {date_figures(run.run_date)} heeft {count} mislukte PDF('s){where}. "
            "Ze worden opnieuw gemaakt door de PDF-workers; daarna wordt de bundel gemaakt. "
            "De actie wordt vastgelegd met uw naam en het tijdstip."
        ),
        do=do,
        back=back,
    )


@controlroom_view(action=True)
@require_http_methods(["GET", "HEAD", "POST"])
def rebuild(request, run_date, code):
    run = _run(run_date)
    municipality = _municipality(code)
    back = reverse("controlroom:run_detail", kwargs={"run_date": run.run_date.isoformat()})

    def do():
        bundle_rebuild_request(run=run, municipality=municipality, user=request.user)
        return f"De bundel van {municipality.name} wordt opnieuw gemaakt."

    return _confirm_or_do(
        request,
        title=f"Bundel opnieuw maken: {municipality.name}",
        explanation=(
            f"De gebundelde versie van {municipality.name} van de run van {date_figures(run.run_date)} wordt opnieuw "
            "samengesteld uit de PDF's van de brieven; de oude bundel wordt vervangen. "
            "De actie wordt vastgelegd met uw naam en het tijdstip."
        ),
        do=do,
        back=back,
    )
