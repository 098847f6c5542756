"""pib.search_tokens: searches are kept server-side behind an opaque token, and a BSN never
lands in the session — not in the signals search, not in the DUO admin's search box."""

import json
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from pib.search_tokens import KEEP, search_load, search_store
from tests.pib.factories import PersonFactory, municipality
from tests.signals.factories import SignalFactory, signals_user

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # the portal's session engine
Session = SessionStore.get_model_class()  # its table (accounts.PortalSession)

pytestmark = pytest.mark.django_db


def stored_sessions() -> str:
    """Every session row as stored and as decoded (with separators such as dots removed), as one
    text to scan for the nine digits."""
    rows = list(Session.objects.all())
    assert rows, "no session was stored"
    decoded = (re.sub(r"[\s.\-]", "", json.dumps(row.get_decoded(), default=str)) for row in rows)
    return "\n".join([*(row.session_data for row in rows), *decoded])


def request_with_session():
    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


def test_a_signals_search_by_bsn_keeps_no_bsn_in_the_session(client):
    person = PersonFactory(municipality=municipality("GM0363"))
    SignalFactory(person=person)
    client.force_login(signals_user("GM0363"))
    for typed in (person.bsn, f"{person.bsn[:3]}.{person.bsn[3:6]}.{person.bsn[6:]}"):  # plain and with dots
        response = client.post("/signalen/", {"zoek": "1", "bsn": typed})
        assert response.status_code == 302
        results = client.get(response["Location"])
        assert results.status_code == 200 and person.bsn in results.content.decode()  # the search works
    text = stored_sessions()
    assert person.bsn not in text
    assert str(person.public_id).replace("-", "") in text  # the opaque reference instead


def test_an_admin_search_by_bsn_keeps_no_bsn_in_the_session(client, django_user_model):
    wanted = PersonFactory()
    PersonFactory()
    client.force_login(django_user_model.objects.create_superuser("duo", password="geheim-wachtwoord-123"))
    url = reverse("admin:pib_person_changelist")
    location = client.post(url, {"q": wanted.bsn, "_zoeken": "Zoeken"})["Location"]
    assert list(client.get(location).context["cl"].result_list) == [wanted]
    assert wanted.bsn not in stored_sessions()


def test_an_admin_search_for_a_bsn_nobody_has_finds_nothing_and_stores_only_a_keyed_hash(client, django_user_model):
    PersonFactory.create_batch(2)
    client.force_login(django_user_model.objects.create_superuser("duo", password="geheim-wachtwoord-123"))
    url = reverse("admin:pib_person_changelist")
    nobody = "999999990"  # elfproef-valid, no person has it
    location = client.post(url, {"q": nobody, "_zoeken": "Zoeken"})["Location"]
    assert client.get(location).context["cl"].result_count == 0
    assert nobody not in stored_sessions()


def test_store_and_load_round_trip_with_the_bsn_resolved_again():
    person = PersonFactory()
    request = request_with_session()
    token = search_store(request, "proef", {"bsn": f" {person.bsn} ", "code": "SS400", "date_from_2": "2026"})
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", token)
    assert person.bsn not in json.dumps(request.session["zoekopdrachten_proef"])
    assert search_load(request, "proef", token) == {"bsn": person.bsn, "code": "SS400", "date_from_2": "2026"}


def test_an_eight_digit_bsn_is_a_reference_too():
    person = PersonFactory(bsn="012345672")
    request = request_with_session()
    token = search_store(request, "proef", {"bsn": "12345672"})
    assert "12345672" not in json.dumps(request.session["zoekopdrachten_proef"])
    assert search_load(request, "proef", token) == {"bsn": person.bsn}


def test_a_bsn_of_a_removed_person_resolves_to_none():
    person = PersonFactory()
    request = request_with_session()
    token = search_store(request, "proef", {"bsn": person.bsn})
    person.delete()
    assert search_load(request, "proef", token) == {"bsn": None}


def test_tokens_are_per_kind_and_unknown_ones_load_as_none():
    request = request_with_session()
    token = search_store(request, "proef", {"code": "SS401"})
    assert search_load(request, "ander", token) is None
    for bad in ["onbekend", "", "a" * 40, "<script>", None]:
        assert search_load(request, "proef", bad) is None


def test_only_the_newest_searches_are_kept():
    request = request_with_session()
    tokens = [search_store(request, "proef", {"code": str(n)}) for n in range(KEEP + 3)]
    assert search_load(request, "proef", tokens[0]) is None
    assert search_load(request, "proef", tokens[-1]) == {"code": str(KEEP + 2)}
    assert len(request.session["zoekopdrachten_proef"]) == KEEP
