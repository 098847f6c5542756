"""DUO admins add ELIP criteria versions in Django admin; versions used by a run stay as they were."""

import datetime as dt

import pytest
from django.urls import reverse

from elip.models import PolicyVersion
from tests.elip.factories import SelectionRunFactory

pytestmark = pytest.mark.django_db


def test_admin_adds_a_policy_version(admin_client):
    response = admin_client.post(
        reverse("admin:elip_policyversion_add"),
        {
            "valid_from": "2027-01-01",
            "months_before_term_end": "0",
            "term_rule_percentage": "90.00",
            "loan_rule_percentage": "90.00",
            "note": "Tijdcriterium vervalt",
        },
    )
    assert response.status_code == 302
    assert PolicyVersion.objects.filter(valid_from=dt.date(2027, 1, 1)).exists()


def test_admin_rejects_a_percentage_above_100(admin_client):
    response = admin_client.post(
        reverse("admin:elip_policyversion_add"),
        {"valid_from": "2027-01-01", "months_before_term_end": "12", "term_rule_percentage": "101.00"},
    )
    assert response.status_code == 200
    assert not PolicyVersion.objects.filter(valid_from=dt.date(2027, 1, 1)).exists()


def test_a_version_used_by_a_run_is_read_only_and_cannot_be_deleted(admin_client):
    run = SelectionRunFactory(run_date=dt.date(2023, 6, 14))
    url = reverse("admin:elip_policyversion_change", args=[run.policy.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="term_rule_percentage"' not in response.content
    delete = admin_client.get(reverse("admin:elip_policyversion_delete", args=[run.policy.pk]))
    assert delete.status_code == 403
    unused = PolicyVersion.objects.create(
        valid_from=dt.date(2030, 1, 1), months_before_term_end=12, term_rule_percentage=75
    )
    response = admin_client.get(reverse("admin:elip_policyversion_change", args=[unused.pk]))
    assert b'name="term_rule_percentage"' in response.content


def test_runs_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:elip_selectionrun_add")).status_code == 403
    assert admin_client.get(reverse("admin:elip_selectionrun_changelist")).status_code == 200
