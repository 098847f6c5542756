import datetime as dt
import importlib
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.smtp import closed_smtp_port, smtp_server  # noqa: F401 - fixtures for every test

# "Today" for the tests where the date matters and the code asks the clock
# (timezone.localdate(), date.today()): a Thursday (no weekly run that day) in March 2025.
TODAY = dt.date(2025, 3, 6)


@pytest.fixture
def frozen_today():
    """Freezes the clock at 10:00 Amsterdam time on ``TODAY`` (time-machine, no ticking), so a test
    passes the same way on every day of the year. Use it where "today" matters:
    ``pytestmark = pytest.mark.usefixtures("frozen_today")``."""
    moment = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def verified_device(user):
    """A confirmed backup-code device of ``user`` (created once): what a session is verified with."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(user=user, name="Test", defaults={"confirmed": True})
    return device


@pytest.fixture(autouse=True)
def _force_login_with_second_factor(monkeypatch):
    """``client.force_login(user)`` and ``client.login(...)`` stand for a completed sign-in: password
    *and* second factor (the session carries the OTP device, as ``django_otp.login`` leaves it).
    Tests of the sign-in itself use the real forms (tests/accounts, tests/e2e)."""
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()

    def login(self, **credentials):
        # django-axes needs the request Client.login() does not pass; the password check is the same.
        from django.contrib.auth.backends import ModelBackend

        user = ModelBackend().authenticate(None, **credentials)
        if user is None:
            return False
        force_login(self, user)
        return True

    monkeypatch.setattr(ClientMixin, "force_login", force_login)
    monkeypatch.setattr(ClientMixin, "login", login)


def load_reference_data():
    """The rows data migrations load (342 municipalities, the ELIP policy versions, the two DUO
    groups with their permissions), if missing."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from elip.constants import PolicyStatus
    from elip.models import PolicyVersion
    from pib.duo_groups import GROUPS, sync_groups
    from pib.models import Municipality

    if Group.objects.filter(name__in=GROUPS).count() < len(GROUPS):
        sync_groups()
    if Municipality.objects.exists():
        return
    for module in ("pib.migrations.0002_load_municipalities", "elip.migrations.0002_policy_versions"):
        importlib.import_module(module).load(apps, None)
    # Migration 0007 (four eyes) approves the versions that existed before it; loaded again with
    # today's model they would be drafts, and no criteria would be in force.
    real = [version[0] for version in importlib.import_module("elip.migrations.0002_policy_versions").VERSIONS]
    PolicyVersion.objects.filter(valid_from__in=real).update(status=PolicyStatus.APPROVED)


@pytest.fixture
def no_template_capture(monkeypatch):
    """The test client keeps a copy of every template context it renders (for ``response.context``);
    the sweeps that send thousands of requests and read only the answers do without: a third of a
    page's rendering time went to copying contexts."""
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *args, **kwargs: None)


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests (browser, worker integration) flush the database after they run, which
    also removes what the data migrations loaded; this puts it back before each such test."""
    load_reference_data()


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"))
        if transactional or "live_server" in getattr(item, "fixturenames", ()):
            item.fixturenames.insert(0, "reference_data")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A kept test database (``--reuse-db``, as in ``make test-fast``) may have been emptied by the
    transactional tests that ended the previous session (they flush, and run last): the reference
    data goes back in before any test, so no test depends on what an earlier session left behind."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    """A STATIC_ROOT collected once per test session as the Dockerfile collects it (hashed names,
    compressed copies) for the tests that run gunicorn with the production settings
    (tests/pib/test_production_serving.py, tests/test_load.py): collectstatic costs 5–20 s."""
    from tests.production import collect_static, production_environment

    root = tmp_path_factory.mktemp("static")
    env = production_environment(
        database_url=os.environ.get("DATABASE_URL", ""), redis_url="", media_root=root / "media", static_root=root
    )
    collect_static(env)
    return root
