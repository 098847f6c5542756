"""CSV of signals for Dutch Excel: UTF-8 with BOM, ';' separator, CRLF, dates dd-mm-jjjj.

Every cell is quoted and loses its bidi control characters. A cell a spreadsheet could read as a
formula gets a leading apostrophe (OWASP "CSV injection"): one that starts with = + - @ (or a
minus sign) once leading whitespace, NBSP, line breaks and invisible format characters are
stripped and full-width forms are folded (NFKC: '＝' is '='), and one that starts with whitespace
or a control character at all. The file streams: rows are read with a server-side
cursor (``iterator(chunk_size=…)``) and written in chunks, so memory stays flat in the number
of rows. The read log is written per chunk while streaming (same request, one INSERT per chunk).
"""

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from operator import attrgetter

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from pib.formatting import date_figures
from pib.validators import strip_bidi_controls

from .constants import SignalCode, SignalStatus

HEADER = [
    "Status",
    "BSN",
    "Achternaam",
    "Voornamen",
    "Doelgroep",
    "Code signaal",
    "Omschrijving",
    "Datum signaal",
    "Contactpersoon",
]
FORMULA_START = ("=", "+", "-", "@", "\u2212", "\t", "\r")
CHUNK_SIZE = 2000
STATUS_LABELS = dict(SignalStatus.choices)
CODE_LABELS = dict(SignalCode.choices)


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def neutralise(value) -> str:
    text = strip_bidi_controls("" if value is None else value)  # no reordering of a cell's text
    if not text:
        return text
    probe = unicodedata.normalize("NFKC", text)
    start = next((i for i, char in enumerate(probe) if not _invisible(char)), len(probe))
    if _invisible(text[0]) or probe[start:].startswith(FORMULA_START):
        return "'" + text
    return text


def signal_row(signal) -> list[str]:
    person = signal.person
    return [
        neutralise(STATUS_LABELS.get(signal.status, signal.status)),
        neutralise(person.bsn),
        neutralise(person.surname),
        neutralise(person.first_names),
        neutralise(person.law),  # Doelgroep, as in the results table (the law: Wi2013)
        neutralise(signal.code),
        neutralise(CODE_LABELS.get(signal.code, "")),
        date_figures(signal.placed_on),
        neutralise(getattr(signal, "contact_name", "") or ""),
    ]


def csv_chunks(
    queryset: QuerySet,
    *,
    on_chunk: Callable[[list], None] | None = None,
    header: list[str] = HEADER,
    row: Callable[[object], list[str]] = signal_row,
    person: Callable[[object], object] = attrgetter("person"),
) -> Iterator[str]:
    """Yield the CSV text in chunks: BOM + header first, then one chunk per ``CHUNK_SIZE`` rows.
    ``on_chunk(persons)`` is called before each chunk is sent, with the persons in it that were not
    in an earlier chunk (one read-log row per person per download; the set of ids seen is the only
    thing that grows, by a few bytes per distinct person). By default the rows are signals
    (``HEADER``, ``signal_row``); another list passes its own ``header``, ``row`` (cells through
    ``neutralise``) and ``person`` (the person a row shows; the Werkvoorraad's rows are persons)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    persons, seen = {}, set()
    for rows, obj in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
        writer.writerow(row(obj))
        shown = person(obj)
        if shown.pk not in seen:
            seen.add(shown.pk)
            persons[shown.pk] = shown
        if rows % CHUNK_SIZE == 0:
            if on_chunk:
                on_chunk(list(persons.values()))
            persons.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if persons and on_chunk:
        on_chunk(list(persons.values()))
    tail = buffer.getvalue()
    if tail:
        yield tail


def csv_response(chunks: Iterator[str], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of ``chunks`` (from ``csv_chunks``), never cached."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
