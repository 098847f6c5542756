"""Effect ELIP-brief (issue 15 point 3): the municipality's own letter cohorts against the national
figures, for the role Beheren ELIP brief. Aggregates only — no person, name or BSN, so nothing is
read-logged — with every cell of fewer than 10 persons shown as "< 10" and the national figures
limited so that subtracting its own gives a municipality nothing about fewer than 10 persons
elsewhere (``elip.figures.national_for_municipality``, docs/figures.md)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from pib.access import role_required
from pib.constants import Role

from ..figures import (
    COMPARISON,
    HORIZONS,
    LETTER,
    PERIODS,
    EffectOptions,
    Outcome,
    cohort_table,
    effect_chart,
    letter_cohorts,
    national_for_municipality,
)


@role_required(Role.ELIP_LETTER)
@require_safe
def effect(request):
    options = EffectOptions.from_query(request.GET, period_default="kwartaal")
    figures = letter_cohorts()
    mid = request.municipality.pk
    own = cohort_table(figures, group=LETTER, horizon=options.horizon, municipality_id=mid, size=options.size)
    national = national_for_municipality(
        figures, group=LETTER, horizon=options.horizon, municipality_id=mid, size=options.size
    )
    comparison = national_for_municipality(
        figures, group=COMPARISON, horizon=options.horizon, municipality_id=mid, size=options.size
    )
    chart = effect_chart(
        [("uw gemeente", own), ("landelijk, met brief", national), ("landelijk, zonder brief", comparison)],
        options,
        chart_id="chart-effect-gemeente",
    )
    return render(
        request,
        "elip/effect.html",
        {
            "options": options,
            "horizons": HORIZONS,
            "periods": list(PERIODS),
            "outcomes": [(key, Outcome.LABELS[key]) for key in Outcome.ORDER],
            "tables": [
                (f"Uw gemeente: {request.municipality.name}", own),
                ("Landelijk: alle aangemelde gemeenten (met brief)", national),
                ("Landelijk: niet-aangemelde gemeenten (zonder brief, vergelijkingsgroep)", comparison),
            ],
            "chart": chart,
        },
    )
