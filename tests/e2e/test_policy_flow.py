"""Issue 15 points 2 and 3 in a browser: a second DUO functioneel beheer admin opens the criteria in the
control room, the what-if of a colleague's draft (table of all municipalities, sortable, and the chart
of the enrolled municipalities most affected), approves it after the confirmation step; the effect of
the letters in the control room; a municipality's own effect screen in the portal (role Beheren ELIP
brief) from its start screen. axe-core: 0 WCAG A/AA violations and no CSP violation on every page.
Screenshots: docs/screenshots/controlekamer-3-whatif.png, controlekamer-4-goedkeuren.png,
effect-gemeente.png (and the rest in tests/e2e/screenshots/)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from elip.constants import PolicyAction, PolicyStatus
from elip.models import PolicyVersion, PolicyVersionEvent
from elip.services.policy import policy_draft_create
from elip.services.registry import person_update, term_extension_add
from pib.constants import ObligationStatus, Role
from tests.controlroom.factories import functional
from tests.e2e.conftest import screenshot
from tests.e2e.test_controlroom_flow import LISTENER, check  # CSP listener + axe per page
from tests.elip.factories import enrol
from tests.letters.factories import LetterFactory
from tests.pib.factories import PersonFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AMS = ZoneInfo("Europe/Amsterdam")


def population(today):
    """Enrolled Groningen, Amsterdam and Rotterdam; persons selected today only through the 12-month
    term rule (a 0-month / 95 % draft drops them) and some at 96 % whom the draft keeps."""
    for code in ("GM0014", "GM0363", "GM0599"):
        enrol(code)
    soon = today + dt.timedelta(days=150)
    later = today + dt.timedelta(days=1200)
    for code, dropped, kept in (("GM0014", 6, 2), ("GM0363", 14, 5), ("GM0599", 9, 4), ("GM0344", 7, 3)):
        for _ in range(dropped):
            PersonFactory(
                code=code, term_start=soon - dt.timedelta(days=1095), term_end=soon, loan_used=Decimal("8000")
            )
        for _ in range(kept):
            PersonFactory(
                code=code, term_start=later - dt.timedelta(days=1095), term_end=later, loan_used=Decimal("9600")
            )


def letter_history(today):
    """Letters 17, 14, 11 and 8 months ago in three municipalities, and what happened afterwards."""
    sizes = {"GM0014": 20, "GM0363": 22, "GM0599": 18}
    for months_ago in (17, 14, 11, 8):
        letter_date = today - dt.timedelta(days=round(months_ago * 30.5))
        for code, n in sizes.items():
            for i in range(n):
                person = PersonFactory(code=code, term_start=letter_date - dt.timedelta(days=900),
                                       term_end=letter_date + dt.timedelta(days=200))  # fmt: skip
                LetterFactory(person=person, letter_date=letter_date)
                event = letter_date + dt.timedelta(days=40 + 9 * i)
                with time_machine.travel(dt.datetime.combine(event, dt.time(12), tzinfo=AMS), tick=False):
                    if i % 3 == 0:
                        person_update(person=person, obligation_status=ObligationStatus.MET)
                    elif i % 5 == 1:
                        person_update(person=person, obligation_status=ObligationStatus.EXEMPTED)
                    elif i % 4 == 2:
                        term_extension_add(person=person, kind="Ziekte", granted_on=event,
                                           new_end=person.term_end + dt.timedelta(days=365))  # fmt: skip


def test_what_if_and_approval_in_the_control_room(browser_page, login):
    today = timezone.localdate()
    population(today)
    drafter = functional("beheer-opsteller")
    draft = policy_draft_create(user=drafter, valid_from=today + dt.timedelta(days=30), months_before_term_end=0,
                                term_rule_percentage=Decimal("95.00"), loan_rule_percentage=Decimal("95.00"),
                                note="Tijdcriterium vervalt (evaluatie Amsterdam)")  # fmt: skip
    approver = functional("beheer-goedkeurder")
    page = browser_page
    page.context.add_init_script(LISTENER)
    page.set_viewport_size({"width": 1400, "height": 900})
    violations = []
    login(page, approver.username)
    page.goto("/beheer/controlekamer/")
    page.get_by_role("link", name="Criteria (wat-als)").click()
    check(page, violations)
    assert "Concept" in page.locator("#content-main").inner_text()
    page.get_by_role("link", name="Wat-als bekijken").click()
    check(page, violations)
    main = page.locator("#content-main")
    assert "Geselecteerd nu" in main.inner_text()
    assert page.locator("svg.chart").count() == 1
    chart_rows = page.locator(".chart-numbers table tbody tr")
    assert chart_rows.first.locator("th").inner_text() == "Amsterdam"  # 14 fewer: the most affected
    page.locator("thead a", has_text="Verschil").first.click()  # sort by the difference (ascending)
    check(page, violations)
    first = page.locator("table.table tbody tr").first.inner_text()
    assert "Amsterdam" in first and "−14" in first
    page.screenshot(path=str(DOCS / "controlekamer-3-whatif.png"), full_page=True)
    screenshot(page, "controlekamer-3-whatif")

    page.get_by_role("link", name="Concept goedkeuren").click()
    check(page, violations)
    assert "Weet u zeker" in main.inner_text()
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT
    page.screenshot(path=str(DOCS / "controlekamer-4-goedkeuren.png"), full_page=True)
    screenshot(page, "controlekamer-4-goedkeuren")
    page.get_by_role("button", name="Ja, goedkeuren").click()
    check(page, violations)
    assert "zijn goedgekeurd" in page.locator(".messagelist").inner_text()
    version = PolicyVersion.objects.get(pk=draft.pk)
    assert (version.status, version.approved_by_id) == (PolicyStatus.APPROVED, approver.pk)
    assert PolicyVersionEvent.objects.filter(version=version, action=PolicyAction.APPROVED).exists()
    assert violations == []


def test_effect_of_the_letters_for_duo_and_for_a_municipality(browser_page, login):
    today = timezone.localdate()
    letter_history(today)
    duo = functional("beheer-effect")
    page = browser_page
    page.context.add_init_script(LISTENER)
    page.set_viewport_size({"width": 1400, "height": 900})
    violations = []
    login(page, duo.username)
    page.goto("/beheer/controlekamer/")
    page.get_by_role("link", name="Effect van de brieven").click()
    check(page, violations)
    assert "&lt; 10" not in page.locator("#content-main").inner_text()
    assert "< 10" in page.locator("#content-main").inner_text()
    screenshot(page, "controlekamer-5-effect")
    page.context.clear_cookies()  # sign out: a new session for the municipal user

    UserFactory(username="brief-groningen", roles={"GM0014": [Role.ELIP_LETTER]})
    login(page, "brief-groningen")
    page.get_by_role("link", name="Effect ELIP-brief").click()
    check(page, violations)
    assert page.locator("h1").inner_text() == "Effect ELIP-brief"
    text = page.locator("main").inner_text()
    assert "Uw gemeente: Groningen" in text and "< 10" in text
    page.select_option("#id_periode", "kwartaal")
    page.get_by_role("button", name="Tonen").click()
    check(page, violations)
    assert "kwartaal" in page.locator("main").inner_text()
    page.screenshot(path=str(DOCS / "effect-gemeente.png"), full_page=True)
    screenshot(page, "effect-gemeente")
    assert violations == []
