"""The rows the data migrations load come back, as the migrations leave them, after a
transactional test flushed them (tests/conftest.py ``load_reference_data``): once a browser or
worker test had run, the ELIP criteria came back as drafts (four eyes) and every later test
that needed criteria in force failed with "Geen ELIP-criteria geldig"."""

import datetime as dt

import pytest

from elip.models import PolicyVersion
from elip.selectors import active_policy
from pib.models import Municipality
from tests.conftest import load_reference_data

pytestmark = pytest.mark.django_db


def test_reloaded_reference_data_has_the_criteria_in_force_and_all_municipalities():
    PolicyVersion.objects.all().delete()
    Municipality.objects.all().delete()
    load_reference_data()
    assert Municipality.objects.count() == 342
    assert active_policy(dt.date(2021, 5, 31)).months_before_term_end == 6
    assert active_policy(dt.date(2026, 12, 1)).months_before_term_end == 12
