"""The Celery task (options, eager run → bundle) and the staff-only PDF downloads in Django admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from letters.models import LetterBundle, RenderStatus
from letters.tasks import render_letter_batch
from pib.models import ReadLogEntry
from tests.pib.factories import UserFactory

from .helpers import make_letters, model_person


def staff(**kwargs):
    """UserFactory sets the password after its save (skip_postgeneration_save): save it, or the
    session of force_login would not match the stored password hash."""
    u = UserFactory(**kwargs)
    u.save()
    return u


def test_task_options():
    assert render_letter_batch.acks_late is True
    assert render_letter_batch.reject_on_worker_lost is True
    assert render_letter_batch.max_retries >= 3
    assert render_letter_batch.retry_backoff
    assert render_letter_batch.name == "letters.render_letter_batch"


@pytest.fixture
def rendered(db):
    letters = make_letters([model_person(), model_person()])
    result = render_letter_batch.delay([letter.pk for letter in letters]).get()
    assert result == {"rendered": 2, "failed": []}
    for letter in letters:
        letter.refresh_from_db()
        assert letter.render_status == RenderStatus.RENDERED
    return letters, LetterBundle.objects.get()


def test_task_renders_and_bundles(rendered):
    letters, bundle = rendered
    assert bundle.letters_count == 2 and bundle.pdf_sha256


def test_admin_lists_links_to_staff_only_views_not_media(rendered, client):
    letters, bundle = rendered
    admin = staff(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:letters_letter_changelist")).content.decode()
    assert reverse("admin:letters_letter_pdf", args=[letters[0].pk]) in page
    assert "/media/" not in page
    detail = client.get(reverse("admin:letters_letter_change", args=[letters[0].pk])).content.decode()
    assert reverse("admin:letters_letter_pdf", args=[letters[0].pk]) in detail and "/media/" not in detail
    page = client.get(reverse("admin:letters_letterbundle_changelist")).content.decode()
    assert reverse("admin:letters_letterbundle_pdf", args=[bundle.pk]) in page


def test_staff_opens_letter_and_bundle_pdf_and_reads_are_logged(rendered, client):
    letters, bundle = rendered
    user = staff(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_letter"), Permission.objects.get(codename="view_letterbundle")
    )
    client.force_login(user)
    response = client.get(reverse("admin:letters_letter_pdf", args=[letters[0].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert letters[0].person.bsn not in response["Content-Disposition"]
    response = client.get(reverse("admin:letters_letterbundle_pdf", args=[bundle.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert ReadLogEntry.objects.filter(user=user).count() == 1 + 2


def test_anonymous_and_non_staff_and_unprivileged_staff_get_nothing(rendered, client):
    letters, bundle = rendered
    url = reverse("admin:letters_letter_pdf", args=[letters[0].pk])
    bundle_url = reverse("admin:letters_letterbundle_pdf", args=[bundle.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(staff(is_staff=False))
    assert client.get(url).status_code == 302
    assert client.get(bundle_url).status_code == 302
    client.force_login(staff(is_staff=True))  # staff without view permission
    assert client.get(url).status_code == 403
    assert client.get(bundle_url).status_code == 403


def test_unknown_or_unrendered_letter_is_404(db, client):
    letter = make_letters([model_person()])[0]
    client.force_login(staff(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:letters_letter_pdf", args=[letter.pk])).status_code == 404
    assert client.get(reverse("admin:letters_letter_pdf", args=[99999])).status_code == 404


def test_media_is_not_served_publicly(rendered, client, settings):
    letters, _bundle = rendered
    assert client.get("/" + settings.MEDIA_URL.strip("/") + "/" + letters[0].pdf.name).status_code == 404


@pytest.mark.django_db
def test_on_a_worker_failed_letters_make_the_task_raise_for_a_retry(monkeypatch):
    """Not eager (a real worker): failures are raised so autoretry re-queues the batch with backoff."""
    from letters import tasks
    from letters.services import LettersNotRendered

    letter = make_letters([model_person()])[0]
    monkeypatch.setattr(tasks, "letters_render", lambda *, letter_ids: [letter.pk])
    render_letter_batch.push_request(is_eager=False)
    try:
        with pytest.raises(LettersNotRendered) as info:
            render_letter_batch._orig_run([letter.pk])  # the task body, without Celery's retry wrapper
    finally:
        render_letter_batch.pop_request()
    assert info.value.letter_ids == [letter.pk]
    assert LettersNotRendered in render_letter_batch.autoretry_for or Exception in render_letter_batch.autoretry_for
