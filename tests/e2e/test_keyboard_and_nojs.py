"""Issue 6 ("every page usable with keyboard only and without JavaScript") and issue 5 ("works without
JavaScript; with JavaScript the selected-count updates live") in a real browser.

1. Keyboard only: no mouse clicks and no ``page.goto`` after the first page. Every link, button and
   form control that receives focus on the way must show a visible focus indicator.
2. JavaScript disabled in the browser context: signals, persons, the municipality chooser and the
   ELIP brief flows all still work.
3. JavaScript enabled: the live selected-count and the header checkbox on "Selecteren signalen".

Screenshots: tests/e2e/screenshots/kbd-*.png and nojs-*.png.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.services import issue_backup_codes
from elip.constants import EnrolmentStatus
from elip.models import ElipEnrolment, PolicyVersion, RunMunicipality, SelectionRun
from pib.constants import Role
from signals.models import Signal
from tests.e2e.conftest import screenshot
from tests.elip.persons_data import GRONINGEN
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "geheim-wachtwoord-123"  # tests.pib.factories.UserFactory's password
AMSTERDAM = "GM0363"
INTERACTIVE = {"A", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY"}

# What has focus, and how it is drawn.
_FOCUSED = """(css) => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName, id: el.id, type: el.type || "", text: (el.innerText || "").trim(),
    matches: css ? el.matches(css) : false, checked: !!el.checked,
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0, boxShadow: s.boxShadow,
    onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth,
  };
}"""


def focused(page, css=None) -> dict:
    return page.evaluate(_FOCUSED, css)


def assert_focus_visible(info: dict) -> None:
    """WCAG 2.4.7: the focused control has an outline (>= 2px) or a box-shadow ring, on screen."""
    outline = info["outlineStyle"] != "none" and info["outlineWidth"] >= 2
    ring = info["boxShadow"] not in ("", "none")
    assert outline or ring, f"no visible focus indicator on the focused element: {info}"
    assert info["onScreen"], f"the focused element is off screen: {info}"


def tab_to(page, *, text=None, css=None, limit=80) -> dict:
    """Presses Tab until the focused element has ``text`` (exact) or matches ``css``; checks the
    focus indicator of every interactive element passed on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page, css)
        if info["tag"] in INTERACTIVE:
            assert_focus_visible(info)
        if (text is not None and info["text"] == text) or (css is not None and info["matches"]):
            return info
        seen.append(info["text"] or info["id"] or info["tag"])
    raise AssertionError(f"Tab never reached {text or css!r}; passed {seen}")


def press_and_wait(page, key: str) -> None:
    """Presses ``key`` on the focused element and waits for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def keyboard_login(page, username: str) -> None:
    """The first (and only) goto: the login page. Skip link → main → fields by typing, Enter submits;
    the same on the second-factor page with a backup code."""
    page.goto("/inloggen/")
    page.keyboard.press("Tab")
    info = focused(page)
    assert info["text"] == "Naar de inhoud", f"the skip link is not the first Tab stop: {info}"
    assert_focus_visible(info)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud", "the skip link does not move focus to <main>"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    code = issue_backup_codes(get_user_model().objects.get(username=username), 1)[0]
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter")
    # The second factor, by keyboard too: Tab to the code field (focus visible on the way), Enter submits.
    assert page.locator("h1").inner_text() == "Tweede stap: code invullen"
    tab_to(page, css="#id_token")
    page.keyboard.type(code)
    press_and_wait(page, "Enter")
    assert page.locator("h1").inner_text() == "Inburgering"


def _dispatches(muni):
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    today = timezone.localdate()
    for weeks_ago, count in [(1, 12), (2, 7)]:
        day = today - dt.timedelta(weeks=weeks_ago)
        run = SelectionRun.objects.create(
            run_date=day, iso_year=day.isocalendar()[0], iso_week=day.isocalendar()[1], policy=policy
        )
        RunMunicipality.objects.create(run=run, municipality=muni, letters_count=count)


ENROL_INPUT = [
    ("id_letter_phone", "06 1111 2222"),
    ("id_letter_email", "elip@groningen.nl"),
    ("id_letter_website", "www.groningen.nl/elip"),
    ("id_contact_name", "Test Groningen"),
    ("id_contact_phone", "06 2777 3333"),
    ("id_contact_email", "test@duo.nl"),
    ("id_contact_postcode", "9722tb"),
    ("id_contact_house_number", "6"),
    ("id_contact_house_number_addition", ""),
    ("id_contact_street", "Kempkensberg"),
    ("id_contact_city", "Groningen"),
]


# --- 1. Keyboard only -------------------------------------------------------------------------------


def test_keyboard_only_skip_link_login_and_enrol(browser_page):
    page = browser_page
    groningen = municipality(GRONINGEN)
    UserFactory(username="toetsen", roles={AMSTERDAM: [Role.ELIP_LETTER], GRONINGEN: [Role.ELIP_LETTER]})
    _dispatches(groningen)

    # The skip link is the first stop, visible when focused, and lands on <main>.
    page.goto("/inloggen/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Naar de inhoud"
    assert_focus_visible(skip)
    screenshot(page, "kbd-01-skiplink")
    keyboard_login(page, "toetsen")

    # The municipality chooser: type-ahead in the <select>, Tab to "Kies gemeente", Enter.
    tab_to(page, css="#gekozen-gemeente")
    page.keyboard.type("Groningen")
    tab_to(page, text="Kies gemeente")
    press_and_wait(page, "Enter")
    assert page.locator("#gekozen-gemeente option:checked").inner_text() == "Groningen"

    # Start screen → "Beheren ELIP brief" (Tab, Enter).
    tab_to(page, text="Beheren ELIP brief")
    press_and_wait(page, "Enter")
    assert page.locator("h1").inner_text() == "ELIP"

    # "Meld aan" (a link styled as a button).
    tab_to(page, text="Meld aan")
    press_and_wait(page, "Enter")
    assert page.locator("h1").inner_text() == "Elip aanmelden"

    # The form: Tab from field to field, typing; the order is the manual's order.
    first_id = ENROL_INPUT[0][0]
    tab_to(page, css=f"#{first_id}")
    for i, (field_id, value) in enumerate(ENROL_INPUT):
        if i:
            page.keyboard.press("Tab")
        info = focused(page)
        assert info["id"] == field_id, f"Tab order: expected #{field_id}, focus is on {info}"
        assert_focus_visible(info)
        if value:
            page.keyboard.type(value)
    verstuur = tab_to(page, text="Verstuur")
    assert verstuur["tag"] == "BUTTON"
    screenshot(page, "kbd-02-verstuur-focus")
    press_and_wait(page, "Space")

    # Confirmation step: nothing saved yet; "Aanmelden" with Enter.
    assert "Klik op 'Aanmelden' om de aanmelding definitief te maken." in page.locator("main").inner_text()
    assert not ElipEnrolment.objects.exists()
    tab_to(page, text="Aanmelden")
    press_and_wait(page, "Enter")

    # The overview.
    assert "Uw gemeente is aangemeld voor de ELIP-ondersteuning." in page.locator("main").inner_text()
    enrolment = ElipEnrolment.objects.get(municipality=groningen)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.letter_email == "elip@groningen.nl" and enrolment.contact_city == "Groningen"

    # "Vorige verzendingen" opens with the keyboard (native <details>).
    tab_to(page, css="details > summary")
    page.keyboard.press("Enter")
    assert page.locator("details table tbody tr").nth(1).is_visible()
    screenshot(page, "kbd-03-overzicht-verzendingen")


def test_keyboard_only_select_a_signal_and_set_in_behandeling(browser_page):
    page = browser_page
    UserFactory(username="signaal", roles={AMSTERDAM: [Role.ELIP_SIGNALS]})
    gm = municipality(AMSTERDAM)
    signals = [SignalFactory(person=PersonFactory(municipality=gm), code="SS400") for _ in range(3)]

    keyboard_login(page, "signaal")
    tab_to(page, text="Raadplegen en muteren ELIP signalen")
    press_and_wait(page, "Enter")
    assert page.locator("h1").inner_text().startswith("Zoeken signalen ELIP")
    tab_to(page, text="Toon deze signalen.")
    press_and_wait(page, "Enter")
    assert page.locator("h1").inner_text().startswith("Selecteren signalen ELIP")

    # The first row's checkbox: Space ticks it (and the live count follows).
    box = tab_to(page, css=".js-signal-select")
    assert not box["checked"]
    page.keyboard.press("Space")
    box = focused(page, ".js-signal-select")
    assert box["matches"] and box["checked"]
    assert page.locator(".js-selected-count").inner_text() == "1"
    ticked_id = int(page.evaluate("document.activeElement.value"))
    screenshot(page, "kbd-04-signaal-geselecteerd")

    tab_to(page, text="In behandeling")
    press_and_wait(page, "Enter")
    assert "1 signaal heeft de status 'In behandeling' gekregen." in page.locator("main").inner_text()
    statuses = dict(Signal.objects.filter(pk__in=[s.pk for s in signals]).values_list("pk", "status"))
    assert statuses.pop(ticked_id) == "in_behandeling"
    assert set(statuses.values()) == {"nieuw"}


# --- 2. Without JavaScript -------------------------------------------------------------------------


@pytest.fixture
def nojs_page(_browser, live_server):
    context = _browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_nojs_signals_search_select_in_behandeling_and_print(nojs_page, login):
    page = nojs_page
    UserFactory(username="zonderjs", roles={AMSTERDAM: [Role.ELIP_SIGNALS]})
    gm = municipality(AMSTERDAM)
    person = PersonFactory(municipality=gm, last_name="Da Costa")
    mine = [
        SignalFactory(person=person, code="SS401", placed_on=dt.date(2023, 6, 10) + dt.timedelta(days=i))
        for i in range(3)
    ]
    others = [SignalFactory(person=PersonFactory(municipality=gm), code="SS400") for _ in range(2)]

    login(page, "zonderjs")
    page.goto("/signalen/")
    page.fill("#id_bsn", person.bsn)
    page.select_option("#id_code", "SS401")
    page.click("button[name=zoek]")
    page.wait_for_url("**/signalen/resultaten/**")
    assert person.bsn not in page.url
    assert "Er zijn 3 signalen gevonden." in page.locator("main").inner_text()

    # Tick two; no script runs, so the live count stays at its server-rendered 0.
    page.check(".js-signal-select >> nth=0")
    page.check(".js-signal-select >> nth=1")
    assert page.locator(".js-selected-count").text_content() == "0", "JavaScript is not disabled"
    ticked = [int(v) for v in page.eval_on_selector_all(".js-signal-select:checked", "els => els.map(e => e.value)")]
    assert len(ticked) == 2
    screenshot(page, "nojs-01-selecteren")
    page.click("button[value=in_behandeling]")
    page.wait_for_load_state()
    assert "2 signalen hebben de status 'In behandeling' gekregen." in page.locator("main").inner_text()
    statuses = dict(Signal.objects.filter(pk__in=[s.pk for s in mine]).values_list("pk", "status"))
    assert {statuses[pk] for pk in ticked} == {"in_behandeling"}
    assert [st for pk, st in statuses.items() if pk not in ticked] == ["nieuw"]
    assert set(Signal.objects.filter(pk__in=[s.pk for s in others]).values_list("status", flat=True)) == {"nieuw"}
    screenshot(page, "nojs-02-in-behandeling")

    # The header checkbox without JavaScript: the server applies the action to the whole page.
    page.check(".js-select-all")
    page.click("button[value=in_behandeling]")
    page.wait_for_load_state()
    assert "1 signaal heeft de status 'In behandeling' gekregen." in page.locator("main").inner_text()
    assert set(Signal.objects.filter(person=person).values_list("status", flat=True)) == {"in_behandeling"}

    # Printen: the print page of the ticked signal; its script-only "Printen" button stays hidden.
    page.check(".js-signal-select >> nth=2")
    page.click("button[value=printen]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Signalen ELIP – Amsterdam"
    assert page.locator("tbody tr").count() == 1
    assert not page.locator(".js-print").is_visible()
    assert page.get_by_role("link", name="Terug naar Selecteren signalen").is_visible()
    screenshot(page, "nojs-03-printen")


def test_nojs_selected_count_does_not_claim_zero_when_boxes_are_ticked(nojs_page, login):
    """Without JavaScript the "Er zijn 0 signalen geselecteerd" line cannot follow the ticks; it must
    not be shown then (a false statement to every user, and announced by aria-live)."""
    page = nojs_page
    UserFactory(username="telling", roles={AMSTERDAM: [Role.ELIP_SIGNALS]})
    gm = municipality(AMSTERDAM)
    for _ in range(2):
        SignalFactory(person=PersonFactory(municipality=gm), code="SS400")
    login(page, "telling")
    page.goto("/signalen/resultaten/openstaand/")
    page.check(".js-signal-select >> nth=0")
    page.check(".js-signal-select >> nth=1")
    counter = page.locator("p[aria-live]").filter(has=page.locator(".js-selected-count"))
    assert not counter.is_visible()


def test_nojs_persons_search_by_bsn_opens_the_detail(nojs_page, login):
    page = nojs_page
    UserFactory(username="personen", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    wilmer = PersonFactory(
        elip=True, code=GRONINGEN, loan_used=Decimal("8720"), first_names="Wilmer", last_name="Gonzalez"
    )
    login(page, "personen")
    page.get_by_role("link", name="Raadplegen ELIP personen").click()
    page.wait_for_load_state()
    page.get_by_label("Burgerservicenummer").fill(wilmer.bsn)
    page.get_by_role("button", name="Zoek").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Details Wilmer Gonzalez"
    assert wilmer.bsn not in page.url and str(wilmer.public_id) in page.url
    page.get_by_role("link", name="Inburgering").first.click()  # and back, all plain links
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Inburgering"


def test_nojs_municipality_chooser_enrol_confirm_overview_and_details(nojs_page, login):
    page = nojs_page
    groningen = municipality(GRONINGEN)
    UserFactory(username="tweegem", roles={AMSTERDAM: [Role.ELIP_LETTER], GRONINGEN: [Role.ELIP_LETTER]})
    _dispatches(groningen)

    login(page, "tweegem")
    assert page.locator("#gekozen-gemeente option:checked").inner_text() == "Amsterdam"
    page.get_by_role("link", name="Beheren ELIP brief").click()
    page.wait_for_load_state()

    # The chooser (select + button, a plain POST) keeps the user on the same screen.
    page.select_option("#gekozen-gemeente", label="Groningen")
    page.get_by_role("button", name="Kies gemeente").click()
    page.wait_for_load_state()
    assert page.locator("#gekozen-gemeente option:checked").inner_text() == "Groningen"
    assert page.locator("h1").inner_text() == "ELIP"

    page.get_by_role("link", name="Meld aan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Elip aanmelden"
    for field_id, value in ENROL_INPUT:
        if value:
            page.fill(f"#{field_id}", value)
    page.get_by_role("button", name="Verstuur").click()
    page.wait_for_load_state()
    assert "Klik op 'Aanmelden' om de aanmelding definitief te maken." in page.locator("main").inner_text()
    assert not ElipEnrolment.objects.exists()
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()

    main = page.locator("main")
    assert "Uw gemeente is aangemeld voor de ELIP-ondersteuning." in main.inner_text()
    assert ElipEnrolment.objects.get(municipality=groningen).status == EnrolmentStatus.ENROLLED
    assert not ElipEnrolment.objects.filter(municipality=municipality(AMSTERDAM)).exists()

    # "Vorige verzendingen" is a native <details>: it opens without JavaScript.
    rows = page.locator("details table tbody tr")
    assert not rows.first.is_visible()
    page.locator("details > summary", has_text="Vorige verzendingen").click()
    assert rows.count() == 2 and rows.nth(1).is_visible()
    assert "12" in rows.nth(0).inner_text() and "7" in rows.nth(1).inner_text()
    screenshot(page, "nojs-04-overzicht")


# --- 3. With JavaScript -------------------------------------------------------------------------------


def test_js_selected_count_is_live_and_header_checkbox_toggles_the_page(browser_page, login):
    page = browser_page
    UserFactory(username="live", roles={AMSTERDAM: [Role.ELIP_SIGNALS]})
    gm = municipality(AMSTERDAM)
    for _ in range(22):
        SignalFactory(person=PersonFactory(municipality=gm), code="SS400")
    login(page, "live")
    page.goto("/signalen/resultaten/openstaand/")
    assert "Er zijn 22 signalen gevonden." in page.locator("main").inner_text()
    counter = page.locator("p[aria-live]").filter(has=page.locator(".js-selected-count"))
    boxes = page.locator(".js-signal-select")
    header = page.locator(".js-select-all")
    assert boxes.count() == 20
    assert counter.inner_text() == "Er zijn 0 signalen geselecteerd."

    count = page.locator(".js-selected-count")
    boxes.nth(0).check()
    assert count.inner_text() == "1"
    boxes.nth(5).check()
    assert counter.inner_text() == "Er zijn 2 signalen geselecteerd."
    assert page.evaluate("document.querySelector('.js-select-all').indeterminate")
    boxes.nth(0).uncheck()
    assert count.inner_text() == "1"
    assert counter.inner_text() == "Er is 1 signaal geselecteerd."

    header.check()
    assert counter.inner_text() == "Er zijn 20 signalen geselecteerd."
    assert page.locator(".js-signal-select:checked").count() == 20
    screenshot(page, "js-01-alle-geselecteerd")
    header.uncheck()
    assert counter.inner_text() == "Er zijn 0 signalen geselecteerd."
    assert page.locator(".js-signal-select:checked").count() == 0

    # Ticking every box by hand checks the header box too.
    for i in range(20):
        boxes.nth(i).check()
    assert header.is_checked()
    assert counter.inner_text() == "Er zijn 20 signalen geselecteerd."

    # With JavaScript the print page shows its "Printen" button (hidden without, see the no-JS test).
    header.uncheck()
    boxes.nth(3).check()
    page.click("button[value=printen]")
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == 1
    assert page.locator(".js-print").is_visible()


def test_the_focus_check_does_fail_without_an_indicator(browser_page):
    """Guards the guard: a focused link whose outline and ring are removed is caught."""
    page = browser_page
    page.goto("/inloggen/")
    page.evaluate(
        "() => { const a = document.querySelector('.utrecht-skip-link');"
        " a.style.outline = 'none'; a.style.boxShadow = 'none'; }"
    )
    page.keyboard.press("Tab")
    with pytest.raises(AssertionError, match="no visible focus indicator"):
        assert_focus_visible(focused(page))
