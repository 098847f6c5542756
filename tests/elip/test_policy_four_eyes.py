"""Four eyes on the ELIP criteria (issue 15 point 2): a draft has no effect, a second DUO admin approves
it, both steps are logged, and a version that is approved or that a run used is read-only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from elip.constants import PolicyAction, PolicyStatus
from elip.models import PolicyVersion, PolicyVersionEvent
from elip.selectors import active_policy
from elip.services.policy import (
    PolicyError,
    PolicyLocked,
    policy_approve,
    policy_draft_create,
    policy_draft_delete,
    policy_draft_update,
)
from elip.services.weekly_run import weekly_run
from pib.duo_groups import FUNCTIONAL
from tests.conftest import TODAY
from tests.elip.factories import SelectionRunFactory
from tests.pib.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
VALID_FROM = TODAY + dt.timedelta(days=30)


def duo_admin(name):
    user = UserFactory(username=name, is_staff=True)
    user.groups.add(Group.objects.get(name=FUNCTIONAL))
    return user


@pytest.fixture
def drafter():
    return duo_admin("beheer-a")


@pytest.fixture
def approver():
    return duo_admin("beheer-b")


def draft(user, **overrides):
    fields = {
        "valid_from": VALID_FROM,
        "months_before_term_end": 0,
        "term_rule_percentage": Decimal("95.00"),
        "loan_rule_percentage": Decimal("95.00"),
        "note": "Tijdcriterium vervalt (evaluatie Amsterdam)",
    }
    return policy_draft_create(user=user, **{**fields, **overrides})


def test_existing_versions_are_approved_by_the_migration():
    assert set(PolicyVersion.objects.values_list("status", flat=True)) == {PolicyStatus.APPROVED}


def test_a_draft_never_takes_force(drafter):
    version = draft(drafter)
    assert version.status == PolicyStatus.DRAFT
    assert active_policy(VALID_FROM + dt.timedelta(days=400)).valid_from == dt.date(2021, 6, 1)


def test_the_weekly_run_after_the_drafts_date_uses_the_approved_version(drafter):
    draft(drafter)
    run = weekly_run(run_date=VALID_FROM + dt.timedelta(days=(2 - VALID_FROM.weekday()) % 7))
    assert run.policy.valid_from == dt.date(2021, 6, 1)


def test_a_second_admin_approves_and_the_version_takes_force_from_its_date(drafter, approver):
    version = draft(drafter)
    policy_approve(version=version, user=approver)
    version.refresh_from_db()
    assert (version.status, version.drafted_by, version.approved_by) == (PolicyStatus.APPROVED, drafter, approver)
    assert version.approved_at is not None
    assert active_policy(VALID_FROM) == version
    assert active_policy(VALID_FROM - dt.timedelta(days=1)).valid_from == dt.date(2021, 6, 1)


def test_the_drafter_cannot_approve_their_own_draft(drafter):
    version = draft(drafter)
    with pytest.raises(PolicyError, match="zelf opgesteld"):
        policy_approve(version=version, user=drafter)
    assert PolicyVersion.objects.get(pk=version.pk).status == PolicyStatus.DRAFT


def test_the_database_refuses_an_approval_by_the_drafter(drafter):
    version = draft(drafter)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(status=PolicyStatus.APPROVED, approved_by=drafter)


def test_whoever_changed_the_draft_last_cannot_approve_it(drafter, approver):
    version = draft(drafter)
    policy_draft_update(version=version, user=approver, term_rule_percentage=Decimal("90.00"))
    with pytest.raises(PolicyError, match="zelf opgesteld"):
        policy_approve(version=version, user=approver)
    policy_approve(version=version, user=drafter)  # the first admin is now the second pair of eyes
    assert PolicyVersion.objects.get(pk=version.pk).status == PolicyStatus.APPROVED


def test_only_duo_functioneel_beheer_may_approve(drafter):
    version = draft(drafter)
    outsider = UserFactory(username="accountbeheer", is_staff=True)
    with pytest.raises(PolicyError, match="DUO functioneel beheer"):
        policy_approve(version=version, user=outsider)


def test_drafting_and_approving_are_logged(drafter, approver):
    version = draft(drafter)
    policy_draft_update(version=version, user=drafter, note="Aangepast")
    policy_approve(version=version, user=approver)
    events = list(PolicyVersionEvent.objects.order_by("at", "pk").values_list("action", "user__username", "changes"))
    assert events == [
        (PolicyAction.DRAFTED, "beheer-a", {}),
        (PolicyAction.CHANGED, "beheer-a", {"note": ["Tijdcriterium vervalt (evaluatie Amsterdam)", "Aangepast"]}),
        (PolicyAction.APPROVED, "beheer-b", {}),
    ]


def test_an_approved_version_is_read_only_and_cannot_be_deleted(drafter, approver):
    version = policy_approve(version=draft(drafter), user=approver)
    with pytest.raises(PolicyLocked, match="goedgekeurd"):
        policy_draft_update(version=version, user=drafter, months_before_term_end=3)
    with pytest.raises(PolicyLocked):
        policy_draft_delete(version=version, user=drafter)


def test_a_version_a_run_used_is_refused_by_the_service(drafter):
    run = SelectionRunFactory(run_date=dt.date(2023, 6, 14))
    with pytest.raises(PolicyLocked, match="verzending"):
        policy_draft_update(version=run.policy, user=drafter, months_before_term_end=3)


@pytest.mark.parametrize(
    ("valid_from", "message"),
    [(TODAY, "na vandaag"), (dt.date(2021, 6, 1), "na vandaag")],
)
def test_a_draft_needs_a_date_ahead(drafter, valid_from, message):
    with pytest.raises(PolicyError, match=message):
        draft(drafter, valid_from=valid_from)


def test_a_draft_may_not_start_on_or_before_the_last_run(drafter):
    SelectionRunFactory(run_date=TODAY + dt.timedelta(days=6))
    with pytest.raises(PolicyError, match="laatste verzending"):
        draft(drafter, valid_from=TODAY + dt.timedelta(days=6))


def test_a_draft_whose_date_passed_cannot_be_approved(drafter, approver, frozen_today):
    version = draft(drafter)
    frozen_today.move_to(dt.datetime.combine(VALID_FROM, dt.time(10, 0)))
    with pytest.raises(PolicyError, match="ingangsdatum"):
        policy_approve(version=version, user=approver)


def test_deleting_a_draft_is_logged_with_its_text(drafter):
    version = draft(drafter)
    policy_draft_delete(version=version, user=drafter)
    event = PolicyVersionEvent.objects.get(action=PolicyAction.DELETED)
    assert event.version is None and "concept" in event.description


# --- admin --------------------------------------------------------------------------------------


def test_admin_add_makes_a_draft_by_the_signed_in_admin(client, drafter):
    client.force_login(drafter)
    response = client.post(
        reverse("admin:elip_policyversion_add"),
        {"valid_from": VALID_FROM.isoformat(), "months_before_term_end": "0", "term_rule_percentage": "95.00",
         "loan_rule_percentage": "95.00", "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    version = PolicyVersion.objects.get(valid_from=VALID_FROM)
    assert (version.status, version.drafted_by) == (PolicyStatus.DRAFT, drafter)
    assert PolicyVersionEvent.objects.filter(version=version, action=PolicyAction.DRAFTED, user=drafter).exists()


def test_admin_refuses_a_date_in_the_past_with_a_dutch_message(client, drafter):
    client.force_login(drafter)
    response = client.post(
        reverse("admin:elip_policyversion_add"),
        {"valid_from": "2025-01-01", "months_before_term_end": "0", "term_rule_percentage": "95.00"},
    )
    assert response.status_code == 200
    assert "moet na vandaag" in response.content.decode()


def test_admin_shows_an_approved_version_read_only_and_refuses_its_deletion(client, drafter, approver):
    version = policy_approve(version=draft(drafter), user=approver)
    client.force_login(drafter)
    response = client.get(reverse("admin:elip_policyversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert b'name="term_rule_percentage"' not in response.content
    assert client.get(reverse("admin:elip_policyversion_delete", args=[version.pk])).status_code == 403
    response = client.post(
        reverse("admin:elip_policyversion_change", args=[version.pk]),
        {"valid_from": VALID_FROM.isoformat(), "months_before_term_end": "3", "term_rule_percentage": "50.00"},
    )
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.months_before_term_end == 0


def test_admin_edits_a_draft_through_the_service(client, drafter, approver):
    version = draft(drafter)
    client.force_login(approver)
    response = client.post(
        reverse("admin:elip_policyversion_change", args=[version.pk]),
        {"valid_from": VALID_FROM.isoformat(), "months_before_term_end": "3", "term_rule_percentage": "95.00",
         "loan_rule_percentage": "95.00", "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.months_before_term_end, version.drafted_by) == (3, approver)
    assert PolicyVersionEvent.objects.filter(version=version, action=PolicyAction.CHANGED, user=approver).exists()


def test_admin_links_a_draft_to_its_what_if_in_the_control_room(client, drafter, approver):
    version = draft(drafter)
    client.force_login(approver)
    html = client.get(reverse("admin:elip_policyversion_change", args=[version.pk])).content.decode()
    assert reverse("controlroom:policy_whatif", kwargs={"version": version.pk}) in html
