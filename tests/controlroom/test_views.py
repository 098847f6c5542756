"""The control room's screens: figures per run, the per-municipality table (sorted, paged), the
52-week charts with their numbers, alerts; queries do not grow with runs or municipalities."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from controlroom.selectors import municipality_rows, run_rows
from elip.models import RunMunicipality
from pib.models import Municipality
from tests.controlroom.factories import AlertFactory, functional, week_run

pytestmark = pytest.mark.django_db
WED = dt.date(2025, 3, 5)


@pytest.fixture
def fb():
    client = Client()
    client.force_login(functional())
    return client


def test_run_rows_count_everything_per_run():
    run = week_run(WED, {"GM0014": 4, "GM0363": 2}, letters={"GM0014": 2, "GM0363": 2}, failed={"GM0014": 1},
                   pending={"GM0014": 1}, bundles=["GM0363"])  # fmt: skip
    AlertFactory(run=run, run_date=WED)
    (row,) = run_rows([run])
    assert (row.municipalities, row.selected, row.letters) == (2, 6, 6)
    assert (row.rendered, row.pending, row.failed) == (4, 1, 1)
    assert (row.bundles, row.bundles_needed, row.bundles_missing, row.open_alerts) == (1, 2, 1, 1)
    gm = {r.code: r for r in municipality_rows(run)}
    assert (gm["GM0014"].letters, gm["GM0014"].failed, gm["GM0014"].bundle) == (4, 1, False)
    assert (gm["GM0363"].bundle, gm["GM0363"].bundle_letters) == (True, 2)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_overview_queries_do_not_grow_with_runs_or_municipalities(fb):
    week_run(WED, {"GM0014": 1}, letters={"GM0014": 1}, bundles=["GM0014"])
    few = queries(fb, reverse("controlroom:overview"))
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True)[:40])
    for week in range(1, 30):
        week_run(WED - dt.timedelta(weeks=week), {code: week for code in codes})
    AlertFactory.create_batch(5)
    many = queries(fb, reverse("controlroom:overview"))
    assert many == few, (few, many)
    assert many <= 20
    detail = reverse("controlroom:run_detail", kwargs={"run_date": (WED - dt.timedelta(weeks=3)).isoformat()})
    assert queries(fb, detail) <= 20


def test_overview_shows_the_last_52_weeks_as_charts_with_tables(fb):
    for week in range(60):
        week_run(WED - dt.timedelta(weeks=week), {"GM0014": week % 7})
    html = fb.get(reverse("controlroom:overview")).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "De laatste 52 weken" in html
    first_table = html.split('class="chart-numbers"')[1]
    assert first_table.count('<th scope="row">') == 52
    assert "css/charts.css" in html and "controlroom/controlroom.css" in html
    assert not re.search(r"\sstyle=", html), "no inline style (CSP)"


def test_overview_lists_open_alerts_with_acknowledge_buttons(fb):
    AlertFactory(message="3 PDF('s) mislukt voor Groningen.")
    AlertFactory(message="Opgelost", resolved_at=dt.datetime(2025, 3, 5, 9, tzinfo=dt.UTC))
    html = fb.get(reverse("controlroom:overview")).content.decode()
    assert "Open meldingen (1)" in html and "mislukt voor Groningen" in html and "Opgelost" not in html
    assert 'action="/beheer/controlekamer/meldingen/' in html


def test_alert_filters(fb):
    AlertFactory(message="open een")
    AlertFactory(message="gezien twee", status="gezien")
    url = reverse("controlroom:alerts")
    assert "open een" in fb.get(url).content.decode() and "gezien twee" not in fb.get(url).content.decode()
    gezien = fb.get(url + "?status=gezien").content.decode()
    assert "gezien twee" in gezien and "open een" not in gezien
    alle = fb.get(url + "?status=alle").content.decode()
    assert "gezien twee" in alle and "open een" in alle


def test_run_detail_table_sorts_and_pages(fb):
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True)[:45])
    run = week_run(WED, {code: i for i, code in enumerate(codes)})
    url = reverse("controlroom:run_detail", kwargs={"run_date": WED.isoformat()})
    first = fb.get(url).content.decode()
    assert codes[0] in first and codes[25] not in first  # 20 per page
    assert "1 van 3" in first
    top = fb.get(url + "?sorteer=-geselecteerd").content.decode()
    biggest = Municipality.objects.get(code=codes[-1]).name
    assert biggest in top.split('<tbody class="utrecht-table__body">')[1].split("</tr>")[0]
    assert RunMunicipality.objects.filter(run=run).count() == 45
    last = fb.get(url + "?pagina=3").content.decode()
    assert codes[-1] in last


def test_run_detail_offers_actions_only_where_they_apply(fb):
    week_run(WED, {"GM0014": 2, "GM0363": 1, "GM0344": 1}, letters={"GM0363": 1, "GM0344": 1},
             failed={"GM0014": 2}, bundles=["GM0344"])  # fmt: skip
    html = fb.get(reverse("controlroom:run_detail", kwargs={"run_date": WED.isoformat()})).content.decode()
    assert "/pdf-opnieuw/GM0014/" in html and "/pdf-opnieuw/GM0363/" not in html
    assert "/bundel-opnieuw/GM0363/" in html and "/bundel-opnieuw/GM0014/" not in html
    assert "ontbreekt" in html
