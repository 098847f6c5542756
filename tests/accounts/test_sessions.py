"""Sessions: idle timeout 15 minutes, absolute 12 hours, a new key at sign-in, second factor and
municipality switch; all sessions of an account end when it is disabled or loses a role;
clearsessions runs daily from the beat schedule."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import PortalSession
from accounts.receivers import SESSION_SEEN, SESSION_STARTED
from accounts.tasks import clear_sessions
from pib.models import Authorisation
from tests.pib.factories import municipality

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shift(client, **moved):
    """Moves the session's clock marks into the past (seconds)."""
    session = client.session
    for key, seconds in moved.items():
        session[key] -= seconds
    session.save()


def test_idle_timeout_is_15_minutes(anna):
    assert settings.SESSION_IDLE_MINUTES == 15 and settings.SESSION_COOKIE_AGE == 15 * 60
    client = signed_in(anna)
    shift(client, **{SESSION_SEEN: 14 * 60})
    assert client.get("/").status_code == 200
    shift(client, **{SESSION_SEEN: 15 * 60 + 5})
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/inloggen/")
    assert "Uw sessie is verlopen" in response.content.decode()
    assert client.get("/").status_code == 302


def test_absolute_limit_is_12_hours_however_active(anna):
    assert settings.SESSION_MAX_HOURS == 12
    client = signed_in(anna)
    shift(client, **{SESSION_STARTED: 11 * 3600 + 3000})
    assert client.get("/").status_code == 200
    shift(client, **{SESSION_STARTED: 700})
    assert client.get("/")["Location"].startswith("/inloggen/")


def test_the_session_row_expires_after_the_idle_time(anna):
    client = signed_in(anna)
    client.get("/")
    row = PortalSession.objects.get(session_key=client.session.session_key)
    assert row.user_id == anna.pk
    assert row.expire_date <= timezone.now() + dt.timedelta(minutes=15, seconds=5)


def test_a_new_session_key_at_sign_in_and_at_every_municipality_switch(anna):
    client = Client()
    client.get("/inloggen/")
    anonymous_key = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    client.post("/inloggen/", {"username": "anna", "password": "geheim-wachtwoord-123"})
    after_password = client.session.session_key
    assert after_password and after_password != anonymous_key
    client = signed_in(anna)
    before = client.session.session_key
    response = client.post("/gemeente-kiezen/", {"gemeente": municipality("GM0014").pk})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert not PortalSession.objects.filter(session_key=before).exists()
    assert client.get("/").status_code == 200


def test_disabling_an_account_ends_all_its_sessions(anna):
    browsers = [signed_in(anna), signed_in(anna)]
    assert all(b.get("/").status_code == 200 for b in browsers)
    anna.is_active = False
    anna.save()
    assert not PortalSession.objects.filter(user_id=anna.pk).exists()
    assert all(b.get("/").status_code == 302 for b in browsers)


def test_removing_a_role_ends_all_sessions_of_that_account_only(anna):
    from tests.pib.factories import UserFactory

    bob = UserFactory(username="bob")
    anna_browser, bob_browser = signed_in(anna), signed_in(bob)
    Authorisation.objects.filter(user=anna, municipality=municipality("GM0014")).delete()
    assert anna_browser.get("/").status_code == 302
    assert bob_browser.get("/").status_code == 200


def test_clearsessions_runs_daily_from_the_beat_schedule(anna):
    entry = settings.CELERY_BEAT_SCHEDULE["clear-sessions"]
    assert entry["task"] == "accounts.tasks.clear_sessions"
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {3}
    live = signed_in(anna)
    live.get("/")
    PortalSession.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(1))
    clear_sessions.apply()
    assert not PortalSession.objects.filter(session_key="x" * 32).exists()
    assert PortalSession.objects.filter(session_key=live.session.session_key).exists()
