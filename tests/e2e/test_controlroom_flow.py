"""The control room in a browser (issue 15 point 1): a DUO functioneel beheer admin signs in (both
steps), follows the admin index's link to the control room, sees an open alert, the 52-week charts
with their tables, opens a run, re-renders failed letters after a confirmation, marks the alert seen
and finds both in the action log. axe-core: 0 WCAG A/AA violations on every page; no CSP violation.
Screenshots: docs/screenshots/controlekamer-1-overzicht.png, controlekamer-2-run.png (and the rest
in tests/e2e/screenshots/)."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from controlroom.models import Alert, ControlAction
from controlroom.services import alerts_evaluate
from letters.models import LetterBundle
from tests.controlroom.factories import functional, week_run
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AMS = ZoneInfo("Europe/Amsterdam")
LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""
NEWEST = dt.date(2025, 3, 5)


def history():
    """30 weekly runs for five municipalities; the newest with two failed letters in Groningen."""
    codes = {"GM0014": 12, "GM0363": 30, "GM0344": 18, "GM0599": 25, "GM0034": 6}
    for week in range(29, 0, -1):
        day = NEWEST - dt.timedelta(weeks=week)
        run = week_run(day, {c: n + (week * 3 + i * i) % 7 for i, (c, n) in enumerate(codes.items())},
                       finished_at=dt.datetime.combine(day, dt.time(6, 12), tzinfo=AMS))  # fmt: skip
        run.started_at = dt.datetime.combine(day, dt.time(6, 0), tzinfo=AMS)
        run.save(update_fields=["started_at"])
    finished = dt.datetime.combine(NEWEST, dt.time(6, 9), tzinfo=AMS)
    counts = {"GM0014": 2, "GM0363": 27, "GM0344": 16, "GM0599": 0, "GM0034": 5}  # Rotterdam: 0 after weeks of letters
    newest = week_run(NEWEST, counts, letters={"GM0363": 27, "GM0344": 16, "GM0034": 5}, failed={"GM0014": 2},
                      bundles=["GM0363", "GM0344", "GM0034"], finished_at=finished)  # fmt: skip
    newest.started_at = dt.datetime.combine(NEWEST, dt.time(6, 0), tzinfo=AMS)
    newest.save(update_fields=["started_at"])
    LetterBundle.objects.update(created_at=dt.datetime.combine(NEWEST, dt.time(6, 31), tzinfo=AMS))
    alerts_evaluate(now=dt.datetime.combine(NEWEST, dt.time(7, 30), tzinfo=AMS), notify=False)


def check(page, violations):
    page.wait_for_load_state("load")
    # CSP first: injecting axe afterwards is itself an inline script the policy refuses (and reports)
    violations.extend(f"{page.url}: {v}" for v in page.evaluate("window.__csp || []"))
    assert_no_axe_violations(page)


def test_control_room_flow(browser_page, login):
    history()
    user = functional("fb-e2e")
    assert Alert.objects.filter(kind="pdf_mislukt").exists()
    page = browser_page
    page.context.add_init_script(LISTENER)
    page.set_viewport_size({"width": 1400, "height": 900})
    violations = []
    login(page, user.username)
    page.goto("/beheer/")
    check(page, violations)
    page.get_by_role("link", name="Controlekamer wekelijkse ELIP-run").click()
    check(page, violations)
    assert page.locator("h1").inner_text() == "Controlekamer"
    alerts = page.locator(".alert-list").first
    assert "PDF's mislukt" in alerts.inner_text() and "Groningen" in alerts.inner_text()
    assert page.locator("svg.chart").count() == 3
    assert page.locator(".chart-numbers table").first.locator("tbody tr").count() == 30
    page.screenshot(path=str(DOCS / "controlekamer-1-overzicht.png"), full_page=True)
    screenshot(page, "controlekamer-1-overzicht")

    page.get_by_role("link", name=NEWEST.strftime("%d-%m-%Y")).first.click()
    check(page, violations)
    assert "Run 05-03-2025" in page.locator("h1").inner_text()
    table = page.locator("table.table").last
    assert "Groningen" in table.inner_text() and "ontbreekt" in table.inner_text()
    page.screenshot(path=str(DOCS / "controlekamer-2-run.png"), full_page=True)
    screenshot(page, "controlekamer-2-run")

    page.get_by_role("link", name="Mislukte PDF's opnieuw maken (Groningen)").click()
    check(page, violations)
    assert "2 mislukte PDF('s) van Groningen" in page.locator("#content-main").inner_text()
    screenshot(page, "controlekamer-3-bevestigen")
    page.get_by_role("button", name="Ja, uitvoeren").click()
    check(page, violations)
    assert "in de wachtrij" in page.locator(".messagelist").inner_text()
    assert ControlAction.objects.filter(kind="pdf_opnieuw", user=user).count() == 1

    page.goto("/beheer/controlekamer/meldingen/")
    check(page, violations)
    page.locator(".alert-list li", has_text="PDF's mislukt").get_by_role("button").click()
    check(page, violations)
    assert Alert.objects.get(kind="pdf_mislukt").acknowledged_by == user
    page.get_by_role("link", name="Acties (logboek)").click()
    check(page, violations)
    log = page.locator("table.table").inner_text()
    assert "Mislukte PDF's opnieuw maken" in log and "Melding als gezien gemarkeerd" in log and user.username in log
    screenshot(page, "controlekamer-4-logboek")
    page.get_by_role("link", name="Runs").click()
    check(page, violations)
    assert not violations, "\n".join(violations)
