"""Control-room screens of issue 15 (policy): the criteria list, the what-if of a draft (table + chart),
the approval with its confirmation step (four eyes, POST with CSRF), and the effect of the letters
("< 10", no person in the page)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from elip.constants import PolicyAction, PolicyStatus
from elip.models import PolicyVersion, PolicyVersionEvent
from elip.services.policy import policy_draft_create
from tests.conftest import TODAY
from tests.controlroom.factories import functional
from tests.elip.factories import enrol
from tests.letters.factories import LetterFactory
from tests.pib.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
VALID_FROM = TODAY + dt.timedelta(days=30)


@pytest.fixture
def drafter():
    return functional("beheer-a")


@pytest.fixture
def approver():
    return functional("beheer-b")


@pytest.fixture
def draft(drafter):
    enrol("GM0363")
    for _ in range(3):
        PersonFactory(code="GM0363", term_end=dt.date(2025, 12, 1), loan_used=Decimal("8000"))  # selected now only
    PersonFactory(code="GM0014", term_end=dt.date(2029, 1, 1), loan_used=Decimal("9700"))  # both
    return policy_draft_create(user=drafter, valid_from=VALID_FROM, months_before_term_end=0,
                               term_rule_percentage=Decimal("95"), loan_rule_percentage=Decimal("95"))  # fmt: skip


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_criteria_list_links_the_drafts_what_if(draft, approver):
    html = client_for(approver).get(reverse("controlroom:policy")).content.decode()
    assert reverse("controlroom:policy_whatif", kwargs={"version": draft.pk}) in html
    assert "Concept" in html and "Goedgekeurd" in html
    assert "Concept aangemaakt" in html  # the log


def test_what_if_shows_totals_table_and_chart(draft, approver, django_assert_max_num_queries):
    client = client_for(approver)
    url = reverse("controlroom:policy_whatif", kwargs={"version": draft.pk})
    client.get(url)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'id="chart-whatif-title"' in html  # the chart, with its numbers beside it
    assert "Amsterdam" in html and "−3" in html  # the most affected enrolled municipality, 3 fewer
    assert reverse("controlroom:policy_approve", kwargs={"version": draft.pk}) in html
    sorted_page = client.get(url, {"sorteer": "-verschil"})
    assert sorted_page.status_code == 200


def test_what_if_sorts_by_difference(draft, approver):
    client = client_for(approver)
    url = reverse("controlroom:policy_whatif", kwargs={"version": draft.pk})
    html = client.get(url, {"sorteer": "verschil"}).content.decode()
    body = html[html.index("Effect per gemeente") :]
    assert body.index("Amsterdam") < body.index("Aa en Hunze")


def test_the_drafter_sees_why_they_cannot_approve(draft, drafter):
    client = client_for(drafter)
    html = client.get(reverse("controlroom:policy_whatif", kwargs={"version": draft.pk})).content.decode()
    assert "Goedkeuren kan niet" in html and "tweede beheerder" in html
    response = client.post(reverse("controlroom:policy_approve", kwargs={"version": draft.pk}))
    assert response.status_code == 400
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT


def test_approval_has_a_confirmation_step_and_is_logged(draft, approver):
    client = client_for(approver)
    url = reverse("controlroom:policy_approve", kwargs={"version": draft.pk})
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Weet u zeker" in html and "Ja, goedkeuren" in html and 'name="csrfmiddlewaretoken"' in html
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT  # GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    version = PolicyVersion.objects.get(pk=draft.pk)
    assert (version.status, version.approved_by) == (PolicyStatus.APPROVED, approver)
    assert PolicyVersionEvent.objects.filter(version=version, action=PolicyAction.APPROVED, user=approver).exists()


def test_approval_without_csrf_token_is_refused(draft, approver):
    client = client_for(approver, enforce_csrf_checks=True)
    response = client.post(reverse("controlroom:policy_approve", kwargs={"version": draft.pk}))
    assert response.status_code == 403
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT


def test_an_approved_version_has_no_what_if_or_approval(draft, drafter, approver):
    client_for(approver).post(reverse("controlroom:policy_approve", kwargs={"version": draft.pk}))
    client = client_for(drafter)
    response = client.get(reverse("controlroom:policy_whatif", kwargs={"version": draft.pk}))
    assert response.status_code == 302
    html = client.get(reverse("controlroom:policy_approve", kwargs={"version": draft.pk})).content.decode()
    assert "al goedgekeurd" in html


def test_effect_screen_shows_aggregates_only_with_small_cells_hidden(approver):
    persons = [PersonFactory(code="GM0363", last_name=f"Uniek{i}") for i in range(12)]
    for person in persons:
        LetterFactory(person=person, letter_date=dt.date(2024, 1, 10))
    html = client_for(approver).get(reverse("controlroom:effect"), {"na": "6"}).content.decode()
    assert "januari 2024" in html
    assert "&lt; 10" in html
    assert "Uniek" not in html and persons[0].bsn not in html
    assert 'id="chart-effect-title"' in html


@pytest.mark.parametrize("query", ["?na=7", "?na=<script>", "?periode=jaar", "?uitkomst=x", "?kwartaal=%00"])
def test_effect_screen_ignores_bad_options(approver, query):
    response = client_for(approver).get(reverse("controlroom:effect") + query)
    assert response.status_code == 200
