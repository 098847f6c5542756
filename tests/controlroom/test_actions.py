"""DUO's actions in the control room: confirmation (GET), POST with CSRF, through the letters app's
tasks, an audit row with who and when; acknowledging an alert."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from controlroom.constants import ActionKind, AlertStatus
from controlroom.models import Alert, ControlAction
from letters import services as letter_services
from letters.models import Letter, LetterBundle, RenderStatus
from tests.controlroom.factories import AlertFactory, functional, week_run
from tests.pib.factories import municipality

pytestmark = pytest.mark.django_db
WED = dt.date(2025, 3, 5)


class Recorder:
    def __init__(self):
        self.calls = []

    def delay(self, *args):
        self.calls.append(args)


@pytest.fixture
def queued(monkeypatch):
    from controlroom import services

    render, rebuild = Recorder(), Recorder()
    monkeypatch.setattr(services, "render_letter_batch", render)
    monkeypatch.setattr(services, "rebuild_bundle", rebuild)
    return render, rebuild


@pytest.fixture
def fb_client(django_capture_on_commit_callbacks):
    user = functional(email="fb@duo.nl")
    client = CommitClient(django_capture_on_commit_callbacks)
    client.force_login(user)
    client.user = user
    return client


class CommitClient(Client):
    """Runs the callbacks a request registers with transaction.on_commit (the tests run inside one
    transaction that never commits)."""

    def __init__(self, capture, **kwargs):
        super().__init__(**kwargs)
        self.capture = capture

    def post(self, *args, **kwargs):
        with self.capture(execute=True):
            return super().post(*args, **kwargs)


def url(name, **kwargs):
    return reverse(f"controlroom:{name}", kwargs={"run_date": WED.isoformat(), **kwargs})


def test_rerender_asks_first_then_queues_the_failed_letters_in_batches_and_logs_who(fb_client, queued, settings):
    settings.LETTER_BATCH_SIZE = 2
    run = week_run(WED, {"GM0014": 5}, letters={"GM0014": 1}, failed={"GM0014": 3, "GM0363": 1})
    page = fb_client.get(url("rerender"))
    assert page.status_code == 200 and "4 mislukte PDF" in page.content.decode()
    assert "csrfmiddlewaretoken" in page.content.decode() and queued[0].calls == []
    response = fb_client.post(url("rerender"))
    assert response.status_code == 302 and response["Location"] == url("run_detail")
    failed = list(Letter.objects.filter(render_status=RenderStatus.FAILED).order_by("pk").values_list("pk", flat=True))
    assert queued[0].calls == [(failed[:2],), (failed[2:],)]
    action = ControlAction.objects.get()
    assert (action.user, action.kind, action.run, action.municipality) == (
        fb_client.user,
        ActionKind.RERENDER,
        run,
        None,
    )
    assert action.detail == {"brieven": 4, "batches": 2}
    messages = fb_client.get(url("run_detail")).content.decode()
    assert "staan in de wachtrij" in messages


def test_rerender_of_one_municipality(fb_client, queued):
    week_run(WED, {"GM0014": 2}, failed={"GM0014": 1, "GM0363": 1})
    fb_client.post(url("rerender_municipality", code="GM0014"))
    (call,) = queued[0].calls
    assert Letter.objects.get(pk=call[0][0]).municipality.code == "GM0014"
    assert ControlAction.objects.get().municipality.code == "GM0014"


def test_rerender_without_failed_letters_says_so_and_logs_nothing(fb_client, queued):
    week_run(WED, {"GM0014": 1}, letters={"GM0014": 1})
    fb_client.post(url("rerender"))
    assert queued[0].calls == [] and not ControlAction.objects.exists()
    assert "geen mislukte PDF" in fb_client.get(url("run_detail")).content.decode()


def test_post_without_csrf_token_is_refused(queued):
    week_run(WED, {"GM0014": 1}, failed={"GM0014": 1})
    client = Client(enforce_csrf_checks=True)
    client.force_login(functional())
    assert client.post(url("rerender")).status_code == 403
    assert queued[0].calls == [] and not ControlAction.objects.exists()


def test_rebuild_bundle_queues_the_letters_task_and_logs(fb_client, queued):
    run = week_run(WED, {"GM0014": 2}, letters={"GM0014": 2}, bundles=["GM0014"])
    page = fb_client.get(url("rebuild_bundle", code="GM0014")).content.decode()
    assert "Bundel opnieuw maken: Groningen" in page
    fb_client.post(url("rebuild_bundle", code="GM0014"))
    assert queued[1].calls == [(run.dispatch_id, municipality("GM0014").pk)]
    action = ControlAction.objects.get()
    assert action.kind == ActionKind.REBUILD_BUNDLE and action.detail == {"brieven": 2}


def test_rebuild_bundle_refused_while_a_letter_has_no_pdf(fb_client, queued):
    week_run(WED, {"GM0014": 2}, letters={"GM0014": 1}, failed={"GM0014": 1})
    fb_client.post(url("rebuild_bundle", code="GM0014"))
    assert queued[1].calls == [] and not ControlAction.objects.exists()
    assert "Nog niet alle PDF" in fb_client.get(url("run_detail")).content.decode()


def test_bundle_rebuild_service_merges_again_even_when_complete(monkeypatch, django_capture_on_commit_callbacks):
    run = week_run(WED, {"GM0014": 2}, letters={"GM0014": 2})
    for letter in Letter.objects.all():
        letter.pdf = default_storage.save(f"letters/t-{letter.pk}.pdf", ContentFile(b"%PDF-1.7 letter"))
        letter.save()
    merged = []
    monkeypatch.setattr(letter_services, "merge_pdfs", lambda files: (merged.append(len(files)) or b"%PDF merged", 2))
    gm = municipality("GM0014")
    letter_services.bundles_build(dispatch=run.dispatch)
    first = LetterBundle.objects.get()
    assert merged == [2] and first.letters_count == 2
    letter_services.bundles_build(dispatch=run.dispatch)  # complete: kept
    assert merged == [2]
    with django_capture_on_commit_callbacks(execute=True):
        assert letter_services.bundle_rebuild(dispatch=run.dispatch, municipality_id=gm.pk) is True
    assert merged == [2, 2]
    bundle = LetterBundle.objects.get()
    assert bundle.letters_count == 2 and bundle.pdf.name != first.pdf.name
    assert default_storage.exists(bundle.pdf.name) and not default_storage.exists(first.pdf.name)
    Letter.objects.filter(pk=Letter.objects.first().pk).update(render_status=RenderStatus.FAILED)
    assert letter_services.bundle_rebuild(dispatch=run.dispatch, municipality_id=gm.pk) is False
    assert merged == [2, 2]


def test_acknowledge_an_alert_once_with_who_and_when(fb_client):
    alert = AlertFactory()
    response = fb_client.post(reverse("controlroom:alert_acknowledge", args=[alert.pk]), {"next": "/elders/"})
    assert response.status_code == 302 and response["Location"] == reverse("controlroom:alerts")  # no open redirect
    fb_client.post(reverse("controlroom:alert_acknowledge", args=[alert.pk]))
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == fb_client.user
    assert alert.acknowledged_at is not None
    assert ControlAction.objects.filter(kind=ActionKind.ACKNOWLEDGE, alert=alert).count() == 1
    log = fb_client.get(reverse("controlroom:actions")).content.decode()
    assert "Melding als gezien gemarkeerd" in log and fb_client.user.username in log


def test_acknowledge_is_post_only(fb_client):
    alert = AlertFactory()
    assert fb_client.get(reverse("controlroom:alert_acknowledge", args=[alert.pk])).status_code == 405
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_a_task_failing_at_once_without_a_broker_does_not_break_the_request(fb_client, monkeypatch):
    from controlroom import services

    class Failing:
        def delay(self, *args):
            raise RuntimeError("render kapot")

    monkeypatch.setattr(services, "render_letter_batch", Failing())
    week_run(WED, {"GM0014": 1}, failed={"GM0014": 1})
    response = fb_client.post(url("rerender"))
    assert response.status_code == 302 and ControlAction.objects.filter(kind=ActionKind.RERENDER).count() == 1
