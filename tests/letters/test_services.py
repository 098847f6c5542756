"""Rendering, storing, failure isolation, snapshot immutability and bundling."""

import hashlib
import io
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from pypdf import PdfReader

from letters import services
from letters.models import Letter, LetterBundle, RenderStatus
from letters.services import bundles_build, letters_render
from tests.pib.factories import municipality

from .helpers import make_dispatch, make_letters, model_person


def pages(name: str) -> int:
    with default_storage.open(name, "rb") as f:
        return len(PdfReader(io.BytesIO(f.read())).pages)


def read(field) -> bytes:
    with default_storage.open(field.name, "rb") as f:
        return f.read()


@pytest.mark.django_db
def test_render_stores_pdf_and_sha256_and_is_idempotent():
    letters = make_letters([model_person(), model_person()])
    assert letters_render(letter_ids=[letter.pk for letter in letters]) == []
    for letter in letters:
        letter.refresh_from_db()
        assert letter.render_status == RenderStatus.RENDERED
        assert letter.render_attempts == 1
        data = read(letter.pdf)
        assert hashlib.sha256(data).hexdigest() == letter.pdf_sha256
        assert letter.person.bsn not in letter.pdf.name  # no BSN in a file name
    first_names = [letter.pdf.name for letter in letters]

    with mock.patch.object(services, "letter_pdf_bytes", side_effect=AssertionError("must not re-render")):
        assert letters_render(letter_ids=[letter.pk for letter in letters]) == []
    assert [letter.pdf.name for letter in Letter.objects.order_by("pk")] == first_names


@pytest.mark.django_db
def test_snapshot_is_immutable_after_a_change_to_the_person():
    person = model_person()
    letter = make_letters([person])[0]
    letters_render(letter_ids=[letter.pk])
    letter.refresh_from_db()
    before = read(letter.pdf)

    person.last_name = "Anders"
    person.street = "Nieuwe straat"
    person.save()
    person.exams.all().delete()
    Letter.objects.filter(pk=letter.pk).update(render_status=RenderStatus.PENDING)  # force a re-render
    letters_render(letter_ids=[letter.pk])
    letter.refresh_from_db()
    after = read(letter.pdf)

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(after)).pages)
    assert "Tneinam" in text and "Anders" not in text and "Spreekvaardigheid" in text
    old_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(before)).pages)
    assert text == old_text


@pytest.mark.django_db
def test_one_failing_letter_does_not_block_the_others():
    letters = make_letters([model_person() for _ in range(3)])
    bad = letters[1]
    real = services.letter_pdf_bytes

    def flaky(letter):
        if letter.pk == bad.pk:
            raise RuntimeError("kapot lettertype")
        return real(letter)

    with mock.patch.object(services, "letter_pdf_bytes", side_effect=flaky):
        failed = letters_render(letter_ids=[letter.pk for letter in letters])
    assert failed == [bad.pk]
    statuses = dict(Letter.objects.values_list("pk", "render_status"))
    assert statuses == {
        letters[0].pk: RenderStatus.RENDERED,
        bad.pk: RenderStatus.FAILED,
        letters[2].pk: RenderStatus.RENDERED,
    }
    bad.refresh_from_db()
    assert bad.render_attempts == 1 and "kapot lettertype" in bad.render_error

    # No bundle while a letter of the municipality is not rendered...
    bundles_build(dispatch=bad.dispatch)
    assert not LetterBundle.objects.exclude(pdf="").exists()

    # ...the retry renders only the failed one, then the bundle is built.
    assert letters_render(letter_ids=[letter.pk for letter in letters]) == []
    bad.refresh_from_db()
    assert bad.render_status == RenderStatus.RENDERED and bad.render_attempts == 2 and bad.render_error == ""
    bundles_build(dispatch=bad.dispatch)
    assert LetterBundle.objects.get().letters_count == 3


@pytest.mark.django_db
def test_bundle_per_municipality_pages_add_up_and_idempotent():
    dispatch = make_dispatch()
    utrecht = municipality("GM0344")
    a = make_letters([model_person(), model_person(), model_person()], dispatch=dispatch)
    b = make_letters([model_person(municipality=utrecht), model_person(municipality=utrecht)], dispatch=dispatch)
    letters_render(letter_ids=[letter.pk for letter in a + b])
    bundles_build(dispatch=dispatch)

    bundles = {bundle.municipality_id: bundle for bundle in LetterBundle.objects.all()}
    assert set(bundles) == {a[0].municipality_id, utrecht.pk}
    for group in (a, b):
        bundle = bundles[group[0].municipality_id]
        assert bundle.letters_count == len(group)
        letter_pages = sum(pages(letter.pdf.name) for letter in Letter.objects.filter(pk__in=[x.pk for x in group]))
        assert pages(bundle.pdf.name) == letter_pages
        assert hashlib.sha256(read(bundle.pdf)).hexdigest() == bundle.pdf_sha256
        reader = PdfReader(default_storage.open(bundle.pdf.name, "rb"))
        assert "pagina 1 van" in reader.pages[letter_pages // len(group)].extract_text()  # each letter restarts at 1

    names = sorted(LetterBundle.objects.values_list("pdf", flat=True))
    with mock.patch.object(services, "merge_pdfs", side_effect=AssertionError("must not merge again")):
        bundles_build(dispatch=dispatch)
    assert sorted(LetterBundle.objects.values_list("pdf", flat=True)) == names
    assert LetterBundle.objects.count() == 2


@pytest.mark.django_db
def test_bundle_is_rebuilt_when_a_resumed_run_added_letters():
    dispatch = make_dispatch()
    first = make_letters([model_person()], dispatch=dispatch)
    letters_render(letter_ids=[first[0].pk])
    bundles_build(dispatch=dispatch)
    assert LetterBundle.objects.get().letters_count == 1

    second = make_letters([model_person()], dispatch=dispatch)
    bundles_build(dispatch=dispatch)  # the new letter is still pending: keep the old bundle for now
    assert LetterBundle.objects.get().letters_count == 1
    letters_render(letter_ids=[second[0].pk])
    bundles_build(dispatch=dispatch)
    bundle = LetterBundle.objects.get()
    assert bundle.letters_count == 2
    first[0].refresh_from_db()
    assert pages(bundle.pdf.name) == pages(first[0].pdf.name) * 2


@pytest.mark.django_db
def test_letters_render_ignores_unknown_ids():
    assert letters_render(letter_ids=[987654]) == []


@pytest.mark.django_db
def test_a_concurrent_duplicate_render_keeps_the_first_file_and_drops_its_own():
    """Two workers on the same letter (a redelivered batch while the first still ran): the loser of
    the conditional UPDATE deletes its file; the winner's PDF and sha256 stay."""
    letter = make_letters([model_person()])[0]
    real = services.letter_pdf_bytes

    def winner_first(obj):
        data = real(obj)
        Letter.objects.filter(pk=obj.pk).update(
            render_status=RenderStatus.RENDERED, pdf="letters/winner.pdf", pdf_sha256="w" * 64
        )
        return data

    with mock.patch.object(services, "letter_pdf_bytes", side_effect=winner_first):
        assert letters_render(letter_ids=[letter.pk]) == []
    letter.refresh_from_db()
    assert letter.pdf.name == "letters/winner.pdf" and letter.pdf_sha256 == "w" * 64
    assert not list(Path(settings.MEDIA_ROOT).rglob(f"elip-brief-{letter.pk}*.pdf"))


@pytest.mark.django_db
def test_letters_render_command_renders_what_is_left_and_bundles():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    letters = make_letters([model_person(), model_person()])
    Letter.objects.filter(pk=letters[0].pk).update(render_status=RenderStatus.FAILED, render_error="x")
    out = io.StringIO()
    call_command("letters_render", "--run", letters[0].dispatch.date.isoformat(), "--here", stdout=out)
    assert "2 brief/brieven aangemaakt, 0 mislukt." in out.getvalue()
    assert set(Letter.objects.values_list("render_status", flat=True)) == {RenderStatus.RENDERED}
    assert LetterBundle.objects.get().letters_count == 2
    call_command("letters_render", stdout=out)  # nothing left: queues nothing
    assert "0 brief/brieven in 0 batch(es)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("letters_render", "--run", "26-11-2026")
