"""The sweeper (``letters.tasks.sweep``, beat): the database is the truth. Letters still pending
``LETTER_SWEEP_AFTER_SECONDS`` after they were made are queued again, and a dispatch's missing
bundles are merged; sweeping again changes nothing. A letter another worker holds is never rendered
at the same time, and a file left by an attempt that died before its commit is replaced, not kept
next to the new one. (Celery runs in-process here; tests/letters/test_faults.py runs the sweeper
from a real beat process against a Redis that lost its queue.)"""

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from letters.models import Letter, LetterBundle, RenderStatus
from letters.selectors import dispatches_missing_bundles, stale_pending_letter_batches
from letters.services import letters_render
from letters.tasks import sweep
from pib.settings import CELERY_BEAT_SCHEDULE

from .helpers import make_dispatch, make_letters, model_person

pytestmark = pytest.mark.django_db


def age(letters, seconds):
    Letter.objects.filter(pk__in=[x.pk for x in letters]).update(
        created_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def pdf_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_the_sweeper_is_in_the_beat_schedule():
    entry = CELERY_BEAT_SCHEDULE["letters-sweep"]
    assert entry["task"] == "letters.sweep"
    assert entry["schedule"] == dt.timedelta(seconds=settings.LETTER_SWEEP_INTERVAL_SECONDS)


def test_sweep_requeues_old_pending_letters_and_bundles_once(settings):
    settings.LETTER_SWEEP_AFTER_SECONDS = 600
    old = make_letters([model_person(), model_person()])
    age(old, 601)
    assert sweep() == {"letters": 2, "batches": 1, "dispatches": 0}  # eager: rendered and bundled now
    assert set(Letter.objects.values_list("render_status", flat=True)) == {RenderStatus.RENDERED}
    bundle = LetterBundle.objects.get()
    assert bundle.letters_count == 2
    files = pdf_files()
    assert len(files) == 3  # two letters, one bundle

    assert sweep() == {"letters": 0, "batches": 0, "dispatches": 0}  # nothing left: nothing queued
    assert pdf_files() == files and LetterBundle.objects.get().pdf_sha256 == bundle.pdf_sha256


def test_sweep_leaves_young_pending_and_failed_letters(settings):
    settings.LETTER_SWEEP_AFTER_SECONDS = 600
    young, failed = make_letters([model_person(), model_person()])
    age([failed], 3600)
    Letter.objects.filter(pk=failed.pk).update(render_status=RenderStatus.FAILED, render_error="x")
    assert stale_pending_letter_batches(created_before=timezone.now(), batch_size=50) == [[young.pk]]
    age([young], 599)
    assert sweep()["letters"] == 0
    assert Letter.objects.get(pk=young.pk).render_status == RenderStatus.PENDING


def test_pending_batches_hold_one_dispatch_and_municipality_each():
    here = make_letters([model_person() for _ in range(3)])
    other = make_letters([model_person()], dispatch=make_dispatch(dt.date(2021, 7, 2)))
    batches = stale_pending_letter_batches(created_before=timezone.now() + dt.timedelta(seconds=1), batch_size=2)
    assert batches == [[here[0].pk, here[1].pk], [here[2].pk], [other[0].pk]]


def test_a_missing_bundle_is_merged_by_the_sweep(settings):
    letters = make_letters([model_person(), model_person()])
    Letter.objects.filter(pk=letters[0].pk).update(render_status=RenderStatus.RENDERED)  # one still pending
    assert dispatches_missing_bundles() == []
    Letter.objects.filter(pk=letters[0].pk).update(render_status=RenderStatus.PENDING)
    letters_render(letter_ids=[x.pk for x in letters])  # the batch's bundling "was lost"
    LetterBundle.objects.all().delete()
    assert dispatches_missing_bundles() == [letters[0].dispatch_id]
    settings.LETTER_SWEEP_AFTER_SECONDS = 0
    assert sweep() == {"letters": 0, "batches": 0, "dispatches": 1}
    assert LetterBundle.objects.get().letters_count == 2
    assert dispatches_missing_bundles() == []


def test_a_file_left_by_a_dead_attempt_is_replaced_not_kept():
    letter = make_letters([model_person()])[0]
    name = letter.pdf.field.generate_filename(letter, f"elip-brief-{letter.pk}.pdf")
    orphan = Path(settings.MEDIA_ROOT) / name
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF- half written by a worker that was killed")
    assert letters_render(letter_ids=[letter.pk]) == []
    letter.refresh_from_db()
    assert letter.pdf.name == name
    assert [p.name for p in pdf_files()] == [f"elip-brief-{letter.pk}.pdf"]
    assert orphan.read_bytes().startswith(b"%PDF-1")


@pytest.mark.django_db(transaction=True)
def test_a_letter_another_worker_holds_is_skipped_not_rendered_twice():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE SKIP LOCKED) need PostgreSQL")
    letters = make_letters([model_person(), model_person()])
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        from django.db import connection as own

        try:
            with transaction.atomic():
                Letter.objects.select_for_update(no_key=True).get(pk=letters[0].pk)
                locked.set()
                release.wait(30)
        finally:
            own.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(30)
        assert letters_render(letter_ids=[x.pk for x in letters]) == []
        statuses = dict(Letter.objects.values_list("pk", "render_status"))
        assert statuses == {letters[0].pk: RenderStatus.PENDING, letters[1].pk: RenderStatus.RENDERED}
    finally:
        release.set()
        thread.join(30)
    assert letters_render(letter_ids=[letters[0].pk]) == []  # the lock is gone: now it is rendered, once
    assert len(pdf_files()) == 2
