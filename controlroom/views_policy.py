"""Control-room screens for issue 15 (policy): the ELIP criteria with their drafts, the what-if of a
draft per municipality (table + chart), the approval with a confirmation step (four eyes), and the
effect of the letters per cohort. Figures come from ``elip.figures``; writes go through
``elip.services.policy``. Every view is wrapped in ``controlroom_view`` (DUO functioneel beheer)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from elip.constants import PolicyStatus
from elip.figures import (
    COMPARISON,
    GROUP_LABELS,
    HORIZONS,
    LETTER,
    PERIODS,
    EffectOptions,
    Outcome,
    cohort_table,
    effect_chart,
    letter_cohorts,
    month_complete,
    municipality_table,
    period_label,
    periods,
    policy_what_if,
)
from elip.models import PolicyVersion, PolicyVersionEvent
from elip.services.policy import APPROVE_PERMISSION, PolicyError, approval_refusal
from elip.services.policy import policy_approve as approve_version
from pib.charts import Series, bar_chart
from pib.tables import pager, same_query_page_url, table_configure

from .access import admin_context, controlroom_view
from .tables_policy import WhatIfTable, signed

MOST_AFFECTED = 10


def _version(pk: int) -> PolicyVersion:
    return get_object_or_404(PolicyVersion.objects.select_related("drafted_by", "approved_by"), pk=pk)


@controlroom_view
@require_safe
def policy(request):
    """The criteria versions (drafts first) and the last steps of the four-eyes log."""
    versions = PolicyVersion.objects.select_related("drafted_by", "approved_by").order_by("status", "-valid_from")
    events = PolicyVersionEvent.objects.select_related("user").order_by("-at", "-pk")[:20]
    return render(
        request,
        "controlroom/policy.html",
        admin_context(request, "ELIP-criteria", versions=versions, events=events, draft=PolicyStatus.DRAFT),
    )


def whatif_chart(what_if):
    affected = what_if.most_affected(MOST_AFFECTED)
    return bar_chart(
        [
            Series("geselecteerd nu", [(r.name, r.selected_now) for r in affected]),
            Series("geselecteerd concept", [(r.name, r.selected_draft) for r in affected]),
        ],
        title=f"Aangemelde gemeenten met het grootste effect (ten hoogste {MOST_AFFECTED})",
        description=(
            f"Geselecteerde personen op {what_if.on_date:%d-%m-%Y} met de huidige criteria en met het concept, "
            "per aangemelde gemeente, gesorteerd op de grootte van het verschil."
        ),
        chart_id="chart-whatif",
        label_header="Gemeente",
    )


@controlroom_view
@require_safe
def policy_whatif(request, version: int):
    """The effect of a draft per municipality before it can take force (docs/figures.md "What-if")."""
    version = _version(version)
    if version.status != PolicyStatus.DRAFT:
        messages.info(request, "Deze versie is al goedgekeurd; het wat-als-overzicht is er voor concepten.")
        return redirect("controlroom:policy")
    what_if = policy_what_if(version)
    table = table_configure(WhatIfTable(what_if.rows), request)
    totals = what_if.totals
    return render(
        request,
        "controlroom/policy_whatif.html",
        admin_context(
            request,
            "Wat-als: effect van het concept",
            version=version,
            what_if=what_if,
            totals=totals,
            change=signed(totals["selected_draft"] - totals["selected_now"]),
            change_letters=signed(totals["letters_draft"] - totals["letters_now"]),
            table=table,
            pager=pager(table, same_query_page_url(request, table)),
            chart=whatif_chart(what_if),
            refusal=approval_refusal(version, request.user),
        ),
    )


@controlroom_view(action=True)
@require_http_methods(["GET", "HEAD", "POST"])
def policy_approve(request, version: int):
    """Four eyes: a second DUO admin approves the draft, after a confirmation step (POST, CSRF)."""
    if not request.user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    version = _version(version)
    refusal = approval_refusal(version, request.user)
    if request.method == "POST" and not refusal:
        try:
            approve_version(version=version, user=request.user)
        except PolicyError as error:
            refusal = str(error)
        else:
            messages.success(
                request, f"De ELIP-criteria vanaf {version.valid_from:%d-%m-%Y} zijn goedgekeurd en gaan dan in."
            )
            return redirect("controlroom:policy")
    what_if = policy_what_if(version) if not refusal else None
    return render(
        request,
        "controlroom/policy_approve.html",
        admin_context(request, "Concept goedkeuren", version=version, refusal=refusal, what_if=what_if),
        status=200 if not refusal or request.method != "POST" else 400,
    )


@controlroom_view
@require_safe
def effect(request):
    """The effect of the letters: cohorts per letter month, letter group against the comparison group,
    nationally and per municipality (docs/figures.md). Aggregates only, '< 10' suppressed."""
    context = effect_context(request)
    return render(
        request,
        "controlroom/effect.html",
        admin_context(request, "Effect van de brieven", horizons=HORIZONS, **context),
    )


def effect_context(request) -> dict:
    """National cohort tables (with and without letter), the chart, and per municipality one complete
    quarter (fixed periods only: docs/figures.md "When a cohort is shown")."""
    options = EffectOptions.from_query(request.GET)
    figures = letter_cohorts()
    tables = [
        (group, GROUP_LABELS[group], cohort_table(figures, group=group, horizon=options.horizon, size=options.size))
        for group in (LETTER, COMPARISON)
    ]
    chart = effect_chart(
        [("met brief", tables[0][2]), ("zonder brief", tables[1][2])], options, chart_id="chart-effect"
    )
    quarters = [(s, e) for s, e in periods(figures, 3) if month_complete(e, options.horizon, figures.today)]
    chosen = quarters[-1] if quarters else None
    wanted = request.GET.get("kwartaal", "")
    for start, end in quarters:
        if start.isoformat() == wanted:
            chosen = (start, end)
    per_municipality = []
    if chosen:
        for group in (LETTER, COMPARISON):
            rows, national = municipality_table(
                figures, group=group, horizon=options.horizon, month_from=chosen[0], month_to=chosen[1]
            )
            per_municipality.append((GROUP_LABELS[group], [*rows, national]))
    return {
        "options": options,
        "tables": tables,
        "chart": chart,
        "outcomes": [(key, Outcome.LABELS[key]) for key in Outcome.ORDER],
        "periods": list(PERIODS),
        "quarters": [(s.isoformat(), period_label(s, 3)) for s, _e in quarters],
        "chosen_quarter": chosen[0].isoformat() if chosen else "",
        "chosen_quarter_label": period_label(chosen[0], 3) if chosen else "",
        "per_municipality": per_municipality,
    }
