"""CSV for Dutch Excel: BOM, ';', dd-mm-jjjj, formula neutralising, server-set name, streaming, scoping."""

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse

from pib.models import ReadLogEntry
from pib.validators import strip_bidi_controls
from signals.export import HEADER, neutralise
from tests.pib.factories import PersonFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";")), raw


@pytest.fixture
def own_person():
    return PersonFactory(municipality=municipality("GM0363"), last_name="Öztürk", first_names="Ayşe")


def test_download_all_contains_every_status_and_no_foreign_signal(client_signals, own_person):
    for status in ("nieuw", "in_behandeling", "afgehandeld"):
        SignalFactory(person=own_person, status=status, placed_on=dt.date(2023, 6, 14), code="SS402")
    SignalFactory(person=PersonFactory(municipality=municipality("GM0599"), last_name="Buitenlid"))
    response = client_signals.get("/signalen/download/")
    rows, raw = read_csv(response)
    assert rows[0] == [
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
    assert sorted(r[0] for r in rows[1:]) == ["Afgehandeld", "In behandeling", "Nieuw"]
    assert rows[1][1:8] == [
        own_person.bsn,
        "Öztürk",
        "Ayşe",
        "Wi2013",
        "SS402",
        "Persoon zijn inburgeringsplicht is beëindigd",
        "14-06-2023",
    ]
    assert b"Buitenlid" not in raw
    assert b"\r\n" in raw
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signalen-GM0363-')
    assert ReadLogEntry.objects.filter(screen="Download alle signalen", person=own_person).exists()


def test_download_all_ignores_the_search(client_signals, own_person):
    SignalFactory(person=own_person, code="SS400")
    SignalFactory(person=own_person, code="SS401")
    client_signals.post("/signalen/", {"code": "SS400"})
    rows, _ = read_csv(client_signals.get("/signalen/download/"))
    assert len(rows) == 3


def test_download_selection_is_exactly_the_search_result(client_signals, own_person):
    SignalFactory(person=own_person, code="SS400")
    SignalFactory(person=own_person, code="SS401")
    location = client_signals.post("/signalen/", {"code": "SS401"})["Location"]
    search_id = location.rstrip("/").split("/")[-1]
    page = client_signals.get(location).content.decode()
    assert f"/signalen/resultaten/{search_id}/download/" in page
    response = client_signals.get(f"/signalen/resultaten/{search_id}/download/")
    rows, _ = read_csv(response)
    assert [r[HEADER.index("Code signaal")] for r in rows[1:]] == ["SS401"]
    assert 'filename="signalen-GM0363-selectie-' in response["Content-Disposition"]


def test_download_of_unknown_search_is_404(client_signals):
    assert client_signals.get("/signalen/resultaten/onbekend/download/").status_code == 404


def test_foreign_municipality_signals_never_in_selection_csv(client_signals, own_person):
    foreign = PersonFactory(municipality=municipality("GM0599"), last_name="Buitenlid")
    SignalFactory(person=foreign)
    SignalFactory(person=own_person)
    _, raw = read_csv(client_signals.get("/signalen/resultaten/alle/download/"))
    assert b"Buitenlid" not in raw and foreign.bsn.encode() not in raw


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6", "'+31 6"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Jansen", "Jansen"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_formula_in_a_name_is_neutralised_in_the_file(client_signals):
    person = PersonFactory(municipality=municipality("GM0363"), last_name="=cmd|' /C calc'!A0", first_names="@Eve")
    SignalFactory(person=person)
    rows, _ = read_csv(client_signals.get("/signalen/download/"))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[1][3] == "'@Eve"


def test_semicolons_and_quotes_are_quoted(client_signals):
    person = PersonFactory(municipality=municipality("GM0363"), last_name='Jan;"sen')
    SignalFactory(person=person)
    rows, _ = read_csv(client_signals.get("/signalen/download/"))
    assert rows[1][2] == 'Jan;"sen'


def test_csv_streams_in_chunks(client_signals, own_person, monkeypatch):
    monkeypatch.setattr("signals.export.CHUNK_SIZE", 5)
    SignalFactory.create_batch(12, person=own_person)
    response = client_signals.get("/signalen/download/")
    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 3  # header, 5, 5, 2
    text = b"".join(chunks).decode("utf-8-sig")
    assert text.count("\r\n") == 13


@pytest.mark.parametrize(
    "value",
    [
        " =1+1",
        "\n=1+1",
        "\u00a0=1+1",
        "\uff1d1+1",  # full-width equals sign
        "\uff0b1",  # full-width plus
        "\u3000@SUM(A1)",  # ideographic space
        "\u202e=1+1",  # right-to-left override before the formula
        "\u200b-1+2",  # zero-width space
        "\u22121",  # minus sign
        "\r\n+1",
    ],
)
def test_neutralise_after_whitespace_nbsp_and_full_width_forms(value):
    """Issue 11: only the first character was checked, so these passed as formulas."""
    assert neutralise(value) == "'" + strip_bidi_controls(value)


def test_every_cell_is_quoted(client_signals):
    person = PersonFactory(municipality=municipality("GM0363"), last_name="Jansen")
    SignalFactory(person=person)
    response = client_signals.get("/signalen/download/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    for line in text.split("\r\n"):
        if line:
            cells = line.split(";")
            assert all(c.startswith('"') and c.endswith('"') for c in cells), line
