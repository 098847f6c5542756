"""Beheren ELIP brief screens (manual §3.3–3.6): role gating, every step, the confirmation step that
saves nothing until confirmed, CSRF, bad input and forged confirmation data."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elip.constants import EnrolmentAction, EnrolmentStatus
from elip.models import ElipEnrolment, ElipEnrolmentChange, PolicyVersion, RunMunicipality, SelectionRun
from elip.services.enrolment import enrolment_enrol
from pib.constants import Role
from tests.pib.factories import PersonFactory, UserFactory, municipality

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]  # "today" is TODAY

FORM = {
    "letter_phone": "06 1111 2222",
    "letter_email": "elip@groningen.nl",
    "letter_website": "",
    "contact_name": "Test Groningen",
    "contact_phone": "0627773333",
    "contact_email": "test@duo.nl",
    "contact_postcode": "9722TB",
    "contact_house_number": "6",
    "contact_house_number_addition": "",
    "contact_street": "Kempkensberg",
    "contact_city": "Groningen",
}

URL_NAMES = [
    "elip:brief",
    "elip:brief_enrol",
    "elip:brief_enrol_confirm",
    "elip:brief_change",
    "elip:brief_change_confirm",
    "elip:brief_withdraw",
    "elip:brief_preview",
]


@pytest.fixture
def groningen():
    return municipality("GM0014")


@pytest.fixture
def user():
    return UserFactory(username="briefbeheerder", roles={"GM0014": [Role.ELIP_LETTER]})


@pytest.fixture
def client_(user):
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    """The page with whitespace collapsed and entities decoded (' is escaped as &#x27;)."""
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def token_of(response) -> str:
    return re.search(r'name="gegevens" value="([^"]+)"', response.content.decode()).group(1)


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_is_sent_to_login(name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_without_the_role_the_answer_is_403_in_dutch(name, method):
    other = UserFactory(username="personen", roles={"GM0014": [Role.ELIP_PERSONS, Role.ELIP_SIGNALS]})
    c = Client()
    c.force_login(other)
    response = getattr(c, method)(reverse(name), FORM if method == "post" else None)
    assert response.status_code == 403
    assert "U hebt niet de accountrol 'Beheren ELIP brief' voor de gemeente Groningen" in text(response)
    assert not ElipEnrolment.objects.exists()


def test_a_role_for_another_municipality_does_not_count():
    other = UserFactory(username="elders", roles={"GM0363": [Role.ELIP_PERSONS], "GM0014": [Role.ELIP_SIGNALS]})
    UserFactory(username="x", roles={"GM0363": [Role.ELIP_LETTER]})
    c = Client()
    c.force_login(other)
    assert c.get(reverse("elip:brief")).status_code == 403


# --- §3.3 Not enrolled: explanation with live estimate ------------------------------------------------


def test_not_enrolled_shows_explanation_with_live_estimate_and_meld_aan(client_, groningen):
    today = timezone.localdate()
    term = {"term_start": today - dt.timedelta(days=900), "term_end": today + dt.timedelta(days=90)}
    for _ in range(3):  # term ends within 12 months, 80% of the loan used: ELIP candidates
        PersonFactory(municipality=groningen, loan_used=Decimal("8000"), **term)
    PersonFactory(municipality=groningen, loan_used=Decimal("1000"), **term)  # not a candidate
    PersonFactory(municipality=municipality("GM0363"), loan_used=Decimal("8000"), **term)  # elsewhere
    response = client_.get(reverse("elip:brief"))
    assert response.status_code == 200
    page = text(response)
    assert '<h1 class="utrecht-heading-1">ELIP</h1>' in page
    assert "Gekozen gemeente: <strong>Groningen</strong>" in page
    assert (
        "Er staan op dit moment naar schatting 3 ELIP-inburgeraars ingeschreven in uw gemeente. "
        "Deze hebben nog geen brief ontvangen."
    ) in page
    assert f'href="{reverse("elip:brief_enrol")}">Meld aan</a>' in page


# --- §3.4 Enrol form → confirmation → saved -----------------------------------------------------------


def test_enrol_form_has_the_manuals_fields_in_order_and_csrf(client_):
    response = client_.get(reverse("elip:brief_enrol"))
    page = text(response)
    assert '<h1 class="utrecht-heading-1">Elip aanmelden</h1>' in page
    assert "csrfmiddlewaretoken" in page
    names = [n for n in re.findall(r'<input type="[a-z]+" name="([a-z_]+)"', page) if n != "csrfmiddlewaretoken"]
    assert names == [
        "letter_phone",
        "letter_email",
        "letter_website",
        "contact_name",
        "contact_phone",
        "contact_email",
        "contact_postcode",
        "contact_house_number",
        "contact_house_number_addition",
        "contact_street",
        "contact_city",
    ]
    assert ">Verstuur</button>" in page and ">annuleer</a>" in page


def test_invalid_enrol_shows_dutch_errors_and_saves_nothing(client_):
    response = client_.post(
        reverse("elip:brief_enrol"),
        {**FORM, "letter_phone": "", "letter_email": "", "contact_name": "", "contact_postcode": "12"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "U moet ten minste een telefoonnummer of een e-mailadres invullen." in page
    assert "Het veld 'Contactpersoon' is verplicht." in page
    assert "Vul een geldige postcode in, zoals 1234 AB." in page
    assert 'aria-invalid="true"' in page
    assert "<title>Fout: " in page
    assert 'href="#id_letter_phone">Telefoonnummer in de brief: U moet ten minste' in page
    assert 'value="Kempkensberg"' in page  # what was typed stays
    assert not ElipEnrolment.objects.exists()


def test_valid_enrol_shows_confirmation_and_saves_nothing_until_confirmed(client_, user, groningen):
    response = client_.post(reverse("elip:brief_enrol"), FORM)
    assert response.status_code == 200
    page = text(response)
    assert "Klik op 'Aanmelden' om de aanmelding definitief te maken. Wilt u dit niet? Klik dan op 'Annuleren'." in page
    assert ">Aanmelden</button>" in page and ">Annuleren</a>" in page
    assert "06 11112222" in page and "9722 TB" in page  # the normalised data, grouped for reading, for a last look
    assert "Bekijk voorbeeldbrief (PDF)" in page
    assert "csrfmiddlewaretoken" in page
    assert not ElipEnrolment.objects.exists()

    response = client_.post(reverse("elip:brief_enrol_confirm"), {"gegevens": token_of(response)})
    assert response.status_code == 302 and response["Location"] == reverse("elip:brief")
    enrolment = ElipEnrolment.objects.get()
    assert (enrolment.municipality, enrolment.status) == (groningen, EnrolmentStatus.ENROLLED)
    assert enrolment.letter_phone == "+31611112222"
    change = enrolment.changes.get()
    assert (change.user, change.action) == (user, EnrolmentAction.ENROL)
    assert "Uw gemeente is aangemeld voor de ELIP-ondersteuning." in text(client_.get(reverse("elip:brief")))


@pytest.mark.parametrize("token", ["", "rommel", "eyJhIjoxfQ:1tXyz:abc"])
def test_a_forged_or_missing_confirmation_saves_nothing(client_, token):
    response = client_.post(reverse("elip:brief_enrol_confirm"), {"gegevens": token}, follow=True)
    assert "De bevestiging is verlopen of ongeldig." in text(response)
    assert not ElipEnrolment.objects.exists()


def test_a_confirmation_of_another_user_or_municipality_is_refused(client_):
    token = token_of(client_.post(reverse("elip:brief_enrol"), FORM))
    other = UserFactory(username="collega", roles={"GM0014": [Role.ELIP_LETTER]})
    c = Client()
    c.force_login(other)
    c.post(reverse("elip:brief_enrol_confirm"), {"gegevens": token})
    assert not ElipEnrolment.objects.exists()
    # a token for the enrol step does not work for the change step either
    client_.post(reverse("elip:brief_change_confirm"), {"gegevens": token})
    assert not ElipEnrolment.objects.exists()


def test_an_expired_confirmation_is_refused(client_, monkeypatch):
    token = token_of(client_.post(reverse("elip:brief_enrol"), FORM))
    monkeypatch.setattr("elip.views.brief.TOKEN_MAX_AGE", -1)
    response = client_.post(reverse("elip:brief_enrol_confirm"), {"gegevens": token}, follow=True)
    assert "De bevestiging is verlopen of ongeldig." in text(response)
    assert not ElipEnrolment.objects.exists()


def test_confirm_urls_answer_get_with_a_redirect(client_):
    assert client_.get(reverse("elip:brief_enrol_confirm")).status_code == 302


def test_posts_without_csrf_token_are_refused(user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert c.post(reverse("elip:brief_enrol"), FORM).status_code == 403
    assert c.post(reverse("elip:brief_withdraw")).status_code == 403
    assert not ElipEnrolment.objects.exists()


def test_enrol_when_already_enrolled_goes_back_to_the_overview(client_, user, groningen):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    response = client_.get(reverse("elip:brief_enrol"), follow=True)
    assert "Uw gemeente is al aangemeld" in text(response)
    token = token_of(client_.post(reverse("elip:brief_change"), {**FORM, "contact_name": "Ander"}))
    assert ElipEnrolmentChange.objects.count() == 1  # the change is not saved before it is confirmed
    client_.post(reverse("elip:brief_change_confirm"), {"gegevens": token})
    assert ElipEnrolmentChange.objects.count() == 2


def test_double_submitted_enrol_confirmation_enrols_once(client_):
    token = token_of(client_.post(reverse("elip:brief_enrol"), FORM))
    client_.post(reverse("elip:brief_enrol_confirm"), {"gegevens": token})
    response = client_.post(reverse("elip:brief_enrol_confirm"), {"gegevens": token}, follow=True)
    assert "Uw gemeente is al aangemeld voor de ELIP-ondersteuning." in text(response)
    assert ElipEnrolmentChange.objects.count() == 1


# --- §3.5 Overview, Wijzig -----------------------------------------------------------------------------


def _runs(groningen):
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    today = timezone.localdate()
    for weeks_ago, count in [(1, 12), (3, 5), (20, 80)]:
        day = today - dt.timedelta(weeks=weeks_ago)
        run = SelectionRun.objects.create(
            run_date=day, iso_year=day.isocalendar()[0], iso_week=day.isocalendar()[1], policy=policy
        )
        RunMunicipality.objects.create(run=run, municipality=groningen, letters_count=count)
    return today


def test_enrolled_overview_shows_dispatches_and_both_data_blocks(client_, user, groningen):
    enrolment_enrol(municipality=groningen, user=user, data={**FORM, "letter_website": "www.groningen.nl/elip"})
    today = _runs(groningen)
    page = text(client_.get(reverse("elip:brief")))
    last = today - dt.timedelta(weeks=1)
    assert "Informatie over de ELIP-ondersteuning" in page
    assert f"<dt>Datum laatste verzending</dt><dd>{last:%d-%m-%Y}</dd>" in page
    assert "<details" in page and "<summary>Vorige verzendingen (2 in de afgelopen 3 maanden)</summary>" in page
    assert (
        f'<td class="utrecht-table__cell">{last:%d-%m-%Y}</td>'
        '<td class="utrecht-table__cell utrecht-table__cell--numeric-data">12</td>'
    ) in page
    assert "<dt>Volgende verzending</dt>" in page
    assert "<dt>Schatting te verzenden brieven</dt><dd>0</dd>" in page
    assert "<dt>Totaal verzonden</dt><dd>97</dd>" in page
    assert "Dit zijn de gegevens die in de ELIP-brief staan" in page
    assert "<dt>Webadres</dt><dd>www.groningen.nl/elip</dd>" in page
    assert "Dit zijn de contactgegevens voor DUO. Deze komen niet in de ELIP-brief." in page
    assert "<dt>Adres</dt><dd>Kempkensberg 6, 9722 TB Groningen</dd>" in page
    assert ">Wijzig</a>" in page and ">Meld af</a>" in page
    assert "Bekijk voorbeeldbrief (PDF)" in page


def test_change_is_confirmed_with_bewaar_and_recorded(client_, user, groningen):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    form = text(client_.get(reverse("elip:brief_change")))
    assert 'value="06 11112222"' in form  # filled with the current data
    response = client_.post(reverse("elip:brief_change"), {**FORM, "letter_email": "nieuw@groningen.nl"})
    page = text(response)
    assert ">Bewaar</button>" in page
    assert (
        '<td class="utrecht-table__cell">elip@groningen.nl</td><td class="utrecht-table__cell">nieuw@groningen.nl</td>'
        in page
    )
    assert ElipEnrolment.objects.get().letter_email == "elip@groningen.nl"  # not yet
    client_.post(reverse("elip:brief_change_confirm"), {"gegevens": token_of(response)})
    assert ElipEnrolment.objects.get().letter_email == "nieuw@groningen.nl"
    change = ElipEnrolmentChange.objects.get(action=EnrolmentAction.CHANGE)
    assert change.changes == {"letter_email": ["elip@groningen.nl", "nieuw@groningen.nl"]}


def test_change_without_differences_says_so_and_records_nothing(client_, user, groningen):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    response = client_.post(reverse("elip:brief_change"), FORM, follow=True)
    assert "U hebt geen gegevens gewijzigd." in text(response)
    assert ElipEnrolmentChange.objects.count() == 1


def test_invalid_change_keeps_the_stored_data(client_, user, groningen):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    response = client_.post(reverse("elip:brief_change"), {**FORM, "letter_phone": "123", "letter_email": "x@"})
    page = text(response)
    assert "Vul een geldig Nederlands telefoonnummer in" in page
    assert "Vul een geldig e-mailadres in" in page
    assert ElipEnrolment.objects.get().letter_phone == "+31611112222"


def test_change_or_withdraw_when_not_enrolled_goes_back_with_a_message(client_):
    for name in ("elip:brief_change", "elip:brief_withdraw"):
        response = client_.get(reverse(name), follow=True)
        assert "Uw gemeente is niet aangemeld voor de ELIP-ondersteuning." in text(response)


# --- §3.6 Meld af ---------------------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation_then_withdraws(client_, user, groningen):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    page = text(client_.get(reverse("elip:brief_withdraw")))
    assert "Klik op Afmelden om de afmelding definitief te maken." in page
    assert ">Afmelden</button>" in page and "csrfmiddlewaretoken" in page
    assert ElipEnrolment.objects.get().is_enrolled
    response = client_.post(reverse("elip:brief_withdraw"), follow=True)
    assert "Uw gemeente is afgemeld voor de ELIP-ondersteuning." in text(response)
    assert ElipEnrolment.objects.get().status == EnrolmentStatus.WITHDRAWN
    # back to §3.3, with the option to enrol again, starting from the previous data
    assert "Meld aan" in text(response)
    assert 'value="Kempkensberg"' in text(client_.get(reverse("elip:brief_enrol")))


# --- Preview ----------------------------------------------------------------------------------------------


@pytest.fixture
def fake_preview(monkeypatch):
    calls = []

    def preview_pdf(*, municipality, phone, email, website):
        calls.append({"municipality": municipality, "phone": phone, "email": email, "website": website})
        return b"%PDF-1.7 voorbeeld"

    monkeypatch.setattr("elip.views.brief.preview_pdf", preview_pdf)
    return calls


def test_preview_uses_the_stored_letter_data(client_, user, groningen, fake_preview):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    response = client_.get(reverse("elip:brief_preview"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    expected = {"municipality": groningen, "phone": "+31611112222", "email": "elip@groningen.nl", "website": ""}
    assert fake_preview == [expected]


def test_preview_uses_the_data_being_entered(client_, groningen, fake_preview):
    response = client_.post(reverse("elip:brief_enrol"), {**FORM, "letter_website": "www.groningen.nl"})
    url = re.search(r'href="([^"]*voorbeeldbrief[^"]*)"', response.content.decode()).group(1).replace("&amp;", "&")
    assert client_.get(url).status_code == 200
    assert fake_preview[0]["website"] == "www.groningen.nl"
    assert not ElipEnrolment.objects.exists()


def test_preview_without_data_or_with_a_forged_token_explains(client_, fake_preview):
    response = client_.get(reverse("elip:brief_preview"), follow=True)
    assert "Er is nog geen telefoonnummer of e-mailadres voor de brief." in text(response)
    response = client_.get(reverse("elip:brief_preview") + "?gegevens=vals", follow=True)
    assert "De bevestiging is verlopen of ongeldig." in text(response)
    assert fake_preview == []


def test_preview_failure_is_a_dutch_page_not_a_500(client_, user, groningen, monkeypatch):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)

    def broken(**kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr("elip.views.brief.preview_pdf", broken)
    response = client_.get(reverse("elip:brief_preview"))
    assert response.status_code == 503
    assert "De voorbeeldbrief kan op dit moment niet worden gemaakt." in text(response)


def test_preview_renders_a_real_pdf_with_the_municipalitys_phone_number(client_, user, groningen, tmp_path):
    import subprocess

    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    response = client_.get(reverse("elip:brief_preview"))
    assert response.status_code == 200
    pdf = tmp_path / "voorbeeld.pdf"
    pdf.write_bytes(response.content)
    extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Groningen" in extracted
    assert re.sub(r"\D", "", "0611112222") in re.sub(r"\D", "", extracted)


def test_overview_query_count_does_not_grow_with_the_number_of_dispatches(
    client_, user, groningen, django_assert_max_num_queries
):
    enrolment_enrol(municipality=groningen, user=user, data=FORM)
    _runs(groningen)
    with django_assert_max_num_queries(14 + 4) as few:  # + OTP device and the idle-deadline session write
        client_.get(reverse("elip:brief"))
    policy = PolicyVersion.objects.order_by("-valid_from").first()
    today = timezone.localdate()
    for days_ago in range(30, 80, 7):  # eight more runs within the last 3 months
        day = today - dt.timedelta(days=days_ago)
        run = SelectionRun.objects.create(
            run_date=day, iso_year=day.isocalendar()[0], iso_week=day.isocalendar()[1], policy=policy
        )
        RunMunicipality.objects.create(run=run, municipality=groningen, letters_count=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(client_.get(reverse("elip:brief")))
    assert "Vorige verzendingen (10 in de afgelopen 3 maanden)" in page
