"""Issue 11, the reproductions at the portal's edges, each as a test that failed before the fix:
page size fixed at 20 whatever the URL asks, a read-log row for every BSN search outcome (hit and
miss) written before the redirect, strict signal ids in bulk POSTs, HEAD wherever GET, and the
security headers on every response including the 400 for a bad Host.

No test relies on ids or on what earlier tests left behind (the suite runs in random order)."""

from decimal import Decimal

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from pib.constants import Role
from pib.models import ReadLogEntry
from pib.readlog import bsn_hash
from signals.constants import SignalStatus
from signals.models import Signal
from tests.elip.persons_data import GRONINGEN
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = "GM0363"


@pytest.fixture
def signals_client(client):
    client.force_login(UserFactory(roles={AMSTERDAM: [Role.ELIP_SIGNALS]}))
    return client


@pytest.fixture
def persons_client(client):
    client.force_login(UserFactory(roles={GRONINGEN: [Role.ELIP_PERSONS]}))
    return client


def _rows(response) -> int:
    return response.content.decode().count('name="signaal" value="')


# --- page size ----------------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", ["64040", "-1", "0", "abc", "1", "100"])
def test_signal_results_page_size_is_fixed_at_20(signals_client, per_page):
    amsterdam = municipality(AMSTERDAM)
    for i in range(25):
        SignalFactory(person=PersonFactory(elip=True, code=AMSTERDAM, last_name=f"P{i:02d}"), municipality=amsterdam)
    before = ReadLogEntry.objects.count()
    response = signals_client.get(
        "/signalen/resultaten/alle/", {"per_page": per_page, "per_pagina": per_page, "pagina": "1"}
    )
    assert response.status_code == 200
    assert _rows(response) == 20
    assert ReadLogEntry.objects.count() - before == 20


@pytest.mark.parametrize("page", ["-1", "0", "999999", "1\n", "²", "9" * 30])
def test_signal_results_bad_page_numbers_show_a_page(signals_client, page):
    amsterdam = municipality(AMSTERDAM)
    for i in range(21):
        SignalFactory(person=PersonFactory(elip=True, code=AMSTERDAM, last_name=f"Q{i:02d}"), municipality=amsterdam)
    response = signals_client.get("/signalen/resultaten/alle/", {"pagina": page, "per_page": "-1"})
    assert response.status_code == 200
    assert _rows(response) in (20, 1)


@pytest.mark.parametrize("per_page", ["64040", "-1", "0"])
def test_person_overview_page_size_is_fixed_at_20(persons_client, per_page):
    for i in range(22):
        PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), last_name=f"N{i:02d}")
    response = persons_client.get(reverse("elip:persons_list"), {"per_page": per_page, "per_pagina": per_page})
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="utrecht-table__row">') == 21  # header + 20 rows


# --- read log for every search outcome ------------------------------------------------------------


def test_person_search_hit_is_read_logged_before_the_redirect(persons_client):
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    response = persons_client.post(reverse("elip:persons_search"), {"bsn": person.bsn})
    assert response.status_code == 302
    rows = ReadLogEntry.objects.filter(screen="ELIP zoeken")
    assert [(r.person_id, r.result, r.bsn_hash) for r in rows] == [
        (person.pk, ReadLogEntry.Result.FOUND, bsn_hash(person.bsn))
    ]


def test_person_search_miss_is_read_logged(persons_client):
    response = persons_client.post(reverse("elip:persons_search"), {"bsn": "111222333"})
    assert response.status_code == 200
    row = ReadLogEntry.objects.get(screen="ELIP zoeken")
    assert row.result == ReadLogEntry.Result.NOT_FOUND and row.person is None
    assert row.bsn_hash == bsn_hash("111222333")


def test_signal_search_hit_is_read_logged_before_the_redirect(signals_client):
    person = PersonFactory(elip=True, code=AMSTERDAM)
    SignalFactory(person=person, municipality=person.municipality)
    response = signals_client.post("/signalen/", {"zoek": "1", "bsn": person.bsn})
    assert response.status_code == 302
    row = ReadLogEntry.objects.get(screen="Zoeken signalen")
    assert (row.person_id, row.result, row.bsn_hash) == (person.pk, ReadLogEntry.Result.FOUND, bsn_hash(person.bsn))


def test_signal_search_miss_is_read_logged_with_the_hashed_bsn(signals_client):
    response = signals_client.post("/signalen/", {"zoek": "1", "bsn": "111222333"})
    assert response.status_code == 200
    row = ReadLogEntry.objects.get(screen="Zoeken signalen")
    assert row.result == ReadLogEntry.Result.NOT_FOUND and row.bsn_hash == bsn_hash("111222333")


def test_signal_search_without_bsn_writes_no_search_row(signals_client):
    SignalFactory(person=PersonFactory(elip=True, code=AMSTERDAM), municipality=municipality(AMSTERDAM))
    signals_client.post("/signalen/", {"zoek": "1", "code": "SS400"})
    assert not ReadLogEntry.objects.filter(screen="Zoeken signalen").exists()


# --- strict ids in the bulk status POST -----------------------------------------------------------


@pytest.mark.parametrize("decorate", ["{}\n", " {}", "{} ", "+{}", "{}\x00", "{}_0"])
def test_bulk_status_refuses_decorated_ids(signals_client, decorate):
    """The signal's own id, whatever it is, with whitespace or a sign around it: nothing changes."""
    signal = SignalFactory(person=PersonFactory(elip=True, code=AMSTERDAM), municipality=municipality(AMSTERDAM))
    value = decorate.format(signal.pk)
    response = signals_client.post(
        "/signalen/resultaten/alle/", {"actie": "afgehandeld", "signaal": value}, follow=True
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW
    assert response.status_code == 200
    assert "bestaan niet" in response.content.decode()


def test_bulk_status_accepts_the_plain_id(signals_client):
    signal = SignalFactory(person=PersonFactory(elip=True, code=AMSTERDAM), municipality=municipality(AMSTERDAM))
    signals_client.post("/signalen/resultaten/alle/", {"actie": "in_behandeling", "signaal": str(signal.pk)})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.IN_PROGRESS


def test_bulk_status_unknown_id_changes_nothing(signals_client):
    signal = SignalFactory(person=PersonFactory(elip=True, code=AMSTERDAM), municipality=municipality(AMSTERDAM))
    missing = (Signal.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000
    signals_client.post("/signalen/resultaten/alle/", {"actie": "afgehandeld", "signaal": f"{missing}\n"})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW


# --- HEAD wherever GET -------------------------------------------------------------------------------


def test_head_is_answered_wherever_get_is(client):
    user = UserFactory(roles={GRONINGEN: [Role.ELIP_PERSONS, Role.ELIP_LETTER, Role.ELIP_SIGNALS]})
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"))
    client.force_login(user)
    urls = [
        "/",
        reverse("elip:persons_search"),
        reverse("elip:persons_list"),
        reverse("elip:person_detail", kwargs={"public_id": person.public_id}),
        reverse("elip:brief"),
        "/signalen/",
        "/signalen/resultaten/alle/",
        "/signalen/download/",
    ]
    for url in urls:
        get, head = client.get(url), client.head(url)
        assert get.status_code == 200, url
        assert head.status_code == 200, url
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert body == b"", url
    assert Client().head("/inloggen/").status_code == 200


# --- security headers on every response ---------------------------------------------------------------

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def test_a_bad_host_gets_a_400_with_the_security_headers():
    response = Client().get("/inloggen/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    for header in HEADERS:
        assert header in response.headers, header
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/inloggen/", "/bestaat-niet/", "/signalen/", "/beheer/login/"])
def test_security_headers_on_ordinary_responses(url):
    response = Client().get(url)
    for header in HEADERS:
        assert header in response.headers, (url, header)
