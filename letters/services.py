"""Writes of the letters app: render letters to PDF, bundle them per municipality, preview.

All three are safe to call again: a rendered letter is skipped, a complete bundle is kept,
and concurrent callers are serialised by row locks and the bundle's unique constraint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import Error as DatabaseDriverError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from pib.dates import add_months
from pib.formatting import date_words, format_phone

from .content import SNAPSHOT_VERSION, date_short, fine_sentence_applies
from .models import Dispatch, Letter, LetterBundle, RenderStatus
from .pdf import render_to_pdf
from .pdfa import merge_pdfa

logger = logging.getLogger(__name__)

LETTER_TEMPLATE = "letters/letter.html"
MAX_ERROR_LENGTH = 2000


class LettersNotRendered(Exception):
    """Some letters of a batch failed; their errors are recorded on the Letter rows."""

    def __init__(self, letter_ids):
        self.letter_ids = list(letter_ids)
        super().__init__(f"{len(self.letter_ids)} brief/brieven niet aangemaakt: {self.letter_ids}")


def letter_context(letter: Letter) -> dict:
    return {"s": letter.snapshot, "reference": letter.reference, "sample": False}


def letter_pdf_bytes(letter: Letter) -> bytes:
    """The PDF of one letter, from its snapshot only (never from the live registry)."""
    return render_to_pdf(LETTER_TEMPLATE, letter_context(letter))


def _letter_file_name(letter: Letter) -> str:
    """The letter's file name: always the same for one letter (per month), so a retry after a crash
    between writing the file and committing the row overwrites the orphan instead of leaving it."""
    return letter.pdf.field.generate_filename(letter, f"elip-brief-{letter.pk}.pdf")


def _store_rendered(letter: Letter, pdf: bytes) -> bool:
    """Store the file, then mark the letter rendered unless someone else already did.

    Called under the letter's row lock (``letters_render``), so nobody else writes this file now:
    a file already at the name is an orphan of an attempt that died before its commit."""
    name = _letter_file_name(letter)
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(pdf))
    updated = (
        Letter.objects.filter(pk=letter.pk)
        .exclude(render_status=RenderStatus.RENDERED)
        .update(
            pdf=stored,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            render_status=RenderStatus.RENDERED,
            render_error="",
            render_attempts=F("render_attempts") + 1,
        )
    )
    if not updated:  # rendered meanwhile without the lock (cannot happen on PostgreSQL): keep that file
        if Letter.objects.filter(pk=letter.pk, pdf=stored).exists():
            return False
        default_storage.delete(stored)
    return bool(updated)


def letters_render(*, letter_ids) -> list[int]:
    """Render every not yet rendered letter of ``letter_ids``; return the ids that failed.

    Each letter is rendered and stored in its own transaction, holding the letter's row lock
    (``SELECT … FOR NO KEY UPDATE SKIP LOCKED``): a letter another worker is rendering right now is
    skipped (that worker finishes it, or its batch is redelivered and the lock is gone), so a letter
    is never rendered twice at once, whoever queued it twice (a redelivered batch, the sweeper). A
    worker killed halfway leaves the finished letters finished; its open transaction rolls back and a
    re-run renders only the rest. A letter that fails to render is recorded (status mislukt, attempts,
    error) and does not stop the others; a database error (connection lost) is raised, so the task
    retries the batch.
    """
    failed: list[int] = []
    candidates = list(
        Letter.objects.filter(pk__in=list(letter_ids))
        .exclude(render_status=RenderStatus.RENDERED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in candidates:
        with transaction.atomic():
            letter = (
                Letter.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(pk=pk)
                .exclude(render_status=RenderStatus.RENDERED)
                .only("pk", "letter_date", "reference", "snapshot", "render_status")
                .first()
            )
            if letter is None:
                continue  # rendered meanwhile, or being rendered by another worker right now
            try:
                _store_rendered(letter, letter_pdf_bytes(letter))
            except DatabaseDriverError:
                raise  # the connection, not the letter: the task retries the batch
            except Exception as exc:  # noqa: BLE001 - recorded per letter, re-raised by the task
                # The message may quote data; it stays in the database (admin only), never in a log line.
                logger.warning("Letter %s could not be rendered: %s", pk, type(exc).__name__)
                Letter.objects.filter(pk=pk).exclude(render_status=RenderStatus.RENDERED).update(
                    render_status=RenderStatus.FAILED,
                    render_attempts=F("render_attempts") + 1,
                    render_error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH],
                )
                failed.append(pk)
    return failed


def merge_pdfs(files) -> tuple[bytes, int]:
    """Merge letter PDFs (binary file objects) in order into one PDF/A-3a; returns (bytes, page count)."""
    return merge_pdfa(files)


def _build_bundle(dispatch: Dispatch, municipality_id: int) -> None:
    if not LetterBundle.objects.filter(dispatch=dispatch, municipality_id=municipality_id).exists():
        _create_bundle_row(dispatch, municipality_id)
    with transaction.atomic():
        bundle = LetterBundle.objects.select_for_update().get(dispatch=dispatch, municipality_id=municipality_id)
        letters = list(
            Letter.objects.filter(
                dispatch=dispatch, municipality_id=municipality_id, render_status=RenderStatus.RENDERED
            )
            .order_by("pk")
            .values_list("pdf", flat=True)
        )
        total = Letter.objects.filter(dispatch=dispatch, municipality_id=municipality_id).count()
        if len(letters) != total or (bundle.pdf and bundle.letters_count == total):
            return  # a letter is not rendered (yet), or another worker finished it while we waited for the lock
        handles = [default_storage.open(name, "rb") for name in letters]
        try:
            data, _pages = merge_pdfs(handles)
        finally:
            for handle in handles:
                handle.close()
        old_name = bundle.pdf.name if bundle.pdf else ""
        name = bundle.pdf.field.generate_filename(
            bundle, f"elip-brieven-{bundle.municipality.code}-{dispatch.date:%Y%m%d}.pdf"
        )
        if name != old_name and default_storage.exists(name):
            default_storage.delete(name)  # an orphan of a merge that died before its commit (we hold the lock)
        bundle.pdf.save(name.rsplit("/", 1)[-1], ContentFile(data), save=False)
        bundle.pdf_sha256 = hashlib.sha256(data).hexdigest()
        bundle.letters_count = len(letters)
        bundle.save(update_fields=["pdf", "pdf_sha256", "letters_count"])
        if old_name:
            transaction.on_commit(lambda: default_storage.delete(old_name))


def _create_bundle_row(dispatch: Dispatch, municipality_id: int) -> None:
    try:
        with transaction.atomic():
            LetterBundle.objects.create(dispatch=dispatch, municipality_id=municipality_id)
    except IntegrityError:
        pass  # created concurrently (unique dispatch + municipality)


def bundles_build(*, dispatch: Dispatch) -> None:
    """One merged PDF per municipality of ``dispatch`` whose letters are all rendered.

    Municipalities with a letter still pending or failed are skipped (the last batch to finish
    builds their bundle). A complete bundle is kept; if letters were added to the dispatch later
    (an interrupted run that was resumed), the bundle is rebuilt with all of them.
    """
    rows = (
        Letter.objects.filter(dispatch=dispatch)
        .values("municipality_id")
        .annotate(total=Count("pk"), rendered=Count("pk", filter=Q(render_status=RenderStatus.RENDERED)))
        .order_by("municipality_id")
    )
    done = dict(
        LetterBundle.objects.filter(dispatch=dispatch).exclude(pdf="").values_list("municipality_id", "letters_count")
    )
    for row in rows:
        if row["total"] != row["rendered"] or done.get(row["municipality_id"]) == row["total"]:
            continue
        _build_bundle(dispatch, row["municipality_id"])


def bundle_rebuild(*, dispatch: Dispatch, municipality_id: int) -> bool:
    """Merge the municipality's bundle of ``dispatch`` again from its letters' PDFs, even when a
    complete one exists (e.g. its file was lost or damaged); the old file is removed after commit.
    Returns False, and changes nothing, while one of its letters is not rendered. Concurrent calls
    are serialised by the bundle's row lock, as in ``bundles_build``."""
    letters = Letter.objects.filter(dispatch=dispatch, municipality_id=municipality_id)
    if not letters.exists() or letters.exclude(render_status=RenderStatus.RENDERED).exists():
        return False
    LetterBundle.objects.filter(dispatch=dispatch, municipality_id=municipality_id).update(letters_count=0)
    _build_bundle(dispatch, municipality_id)
    return True


# --- Preview -------------------------------------------------------------------------------

SAMPLE_BSN = "999999990"  # elfproef-valid test number, not issued to anyone


def sample_snapshot(*, municipality_name: str, phone: str, email: str, website: str, on_date: dt.date) -> dict:
    """A fictitious person ("Voorbeeld") with some data in every table of the letter."""
    term_end = add_months(on_date, 6)
    d = date_short
    return {
        "version": SNAPSHOT_VERSION,
        "letter_date": on_date.isoformat(),
        "letter_date_words": date_words(on_date),
        "recipient": {
            "title": "Mevrouw",
            "initials": "A.",
            "surname": "Voorbeeld",
            "name_line": "Mevrouw A. Voorbeeld",
            "address_line": "Voorbeeldstraat 1",
            "postcode_city": "1234 AB VOORBEELDSTAD",
        },
        "bsn": SAMPLE_BSN,
        "salutation": "Geachte mevrouw Voorbeeld,",
        "municipality": {"name": municipality_name, "phone": format_phone(phone), "email": email, "website": website},
        "term_end": term_end.isoformat(),
        "term_end_words": date_words(term_end),
        "fine_sentence": fine_sentence_applies(term_end, on_date),
        "exams": [
            {"name": name, "last_exam": d(add_months(on_date, -months)), "status": status, "attempts": attempts}
            for name, months, status, attempts in (
                ("Spreekvaardigheid", 10, "Geslaagd", 2),
                ("Luistervaardigheid", 11, "Geslaagd", 1),
                ("Leesvaardigheid", 4, "Niet geslaagd", 3),
                ("Schrijfvaardigheid", 3, "Niet geslaagd", 2),
                ("Kennis Nederlandse Maatschappij", 9, "Geslaagd", 1),
            )
        ],
        "exams_to_do": ["Leesvaardigheid", "Schrijfvaardigheid"],
        "requests": [{"kind": "Verzoek lening", "received_on": d(add_months(on_date, -30)), "status": "Toegekend"}],
        "loan": {
            "start": d(add_months(on_date, -30)),
            "end": d(term_end),
            "principal": "10.000,00",
            "interest": "0,00",
            "principal_plus_interest": "8.000,00",
            "remaining": "2.000,00",
        },
        "courses": [
            {
                "name": "Taalschool Voorbeeld, Inburgering",
                "start": d(add_months(on_date, -29)),
                "end": d(add_months(on_date, -12)),
            }
        ],
    }


def preview_pdf(*, municipality, phone: str = "", email: str = "", website: str = "", on_date=None) -> bytes:
    """The letter for a fictitious sample person with the given contact data (portal preview).

    ``municipality`` is a Municipality (or its name). Clearly marked as a sample.
    """
    on_date = on_date or timezone.localdate()
    name = getattr(municipality, "name", None) or str(municipality)
    snapshot = sample_snapshot(municipality_name=name, phone=phone, email=email, website=website, on_date=on_date)
    return render_to_pdf(LETTER_TEMPLATE, {"s": snapshot, "reference": "VOORBEELD", "sample": True})
