"""Django admin edits of a person emit exactly what the services emit."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from pib.models import Person, TermExtension
from signals.models import Signal
from tests.pib.factories import PersonFactory, municipality

pytestmark = pytest.mark.django_db

INLINE_PREFIXES = {
    "loan": "loan",
    "requests": "requests",
    "extensions": "extensions",
    "exams": "exams",
    "enrolments": "enrolments",
    "contracts": "contracts",
    "invoices": "invoices",
}


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("beheerder", "b@example.org", "geheim-wachtwoord-123")
    client.force_login(admin)
    return client


def person_post_data(person, **overrides):
    data = {
        "bsn": person.bsn,
        "first_names": person.first_names,
        "prefix": person.prefix,
        "last_name": person.last_name,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "street": person.street,
        "house_number": person.house_number,
        "house_number_addition": person.house_number_addition,
        "postcode": person.postcode,
        "city": person.city,
        "municipality": person.municipality_id,
        "law": person.law,
        "obligation_status": person.obligation_status,
        "term_start": person.term_start.isoformat(),
        "term_end": person.term_end.isoformat(),
        "lesson_hours_integration": 0,
        "lesson_hours_literacy": 0,
    }
    for prefix in INLINE_PREFIXES.values():
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(overrides)
    return data


def save(admin_client, person, **overrides):
    url = f"/beheer/pib/person/{person.pk}/change/"
    response = admin_client.post(url, person_post_data(person, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]


def codes():
    return sorted(Signal.objects.values_list("code", "municipality__code"))


def test_admin_municipality_change_emits_ss404_and_ss403(admin_client):
    person = PersonFactory(elip=True, code="GM0363")
    save(admin_client, person, municipality=municipality("GM0599").pk)
    assert codes() == [("SS403", "GM0599"), ("SS404", "GM0363")]


def test_admin_term_end_change_emits_ss401(admin_client):
    person = PersonFactory(elip=True)
    save(admin_client, person, term_end="2025-09-01")
    assert codes() == [("SS401", "GM0363")]


def test_admin_obligation_status_change_emits_ss402(admin_client):
    person = PersonFactory(elip=True)
    save(admin_client, person, obligation_status="voldaan")
    assert codes() == [("SS402", "GM0363")]


def test_admin_extension_inline_add_goes_through_service(admin_client):
    person = PersonFactory(elip=True, term_end=dt.date(2024, 7, 1))
    save(
        admin_client,
        person,
        **{
            "extensions-TOTAL_FORMS": 1,
            "extensions-0-kind": "Coronamaatregelen",
            "extensions-0-new_end": "2025-01-01",
            "extensions-0-granted_on": "2024-06-01",
            "extensions-0-person": person.pk,
        },
    )
    extension = TermExtension.objects.get()
    assert extension.previous_end == dt.date(2024, 7, 1)
    assert Person.objects.get(pk=person.pk).term_end == dt.date(2025, 1, 1)
    assert codes() == [("SS401", "GM0363")]


def test_admin_extension_not_later_than_term_end_is_a_form_error(admin_client):
    person = PersonFactory(elip=True, term_end=dt.date(2024, 7, 1))
    response = admin_client.post(
        f"/beheer/pib/person/{person.pk}/change/",
        person_post_data(
            person,
            **{
                "extensions-TOTAL_FORMS": 1,
                "extensions-0-kind": "X",
                "extensions-0-new_end": "2024-01-01",
                "extensions-0-granted_on": "2024-01-01",
                "extensions-0-person": person.pk,
            },
        ),
    )
    assert response.status_code == 200
    assert "nieuwe einddatum" in response.content.decode()
    assert not TermExtension.objects.exists() and not Signal.objects.exists()


def test_admin_term_extension_admin_add_emits_ss401(admin_client):
    person = PersonFactory(elip=True, term_end=dt.date(2024, 7, 1))
    response = admin_client.post(
        "/beheer/pib/termextension/add/",
        {"person": person.pk, "kind": "Ziekte", "new_end": "2025-02-01", "granted_on": "2024-06-01"},
    )
    assert response.status_code == 302
    assert TermExtension.objects.get().previous_end == dt.date(2024, 7, 1)
    assert codes() == [("SS401", "GM0363")]


def test_admin_edits_of_non_elip_person_emit_nothing(admin_client):
    person = PersonFactory()
    save(
        admin_client, person, municipality=municipality("GM0599").pk, term_end="2025-09-01", obligation_status="voldaan"
    )
    assert codes() == []
    person.refresh_from_db()
    assert person.municipality.code == "GM0599"


def test_admin_edit_without_relevant_change_emits_nothing(admin_client):
    person = PersonFactory(elip=True)
    save(admin_client, person, first_names="Anders")
    assert codes() == []


def test_signal_admin_is_read_only(admin_client):
    person = PersonFactory(elip=True)
    signal = Signal.objects.create(
        person=person, municipality=person.municipality, code="SS400", placed_on=dt.date(2025, 3, 6)
    )
    assert admin_client.get("/beheer/signals/signal/add/").status_code == 403
    page = admin_client.get(f"/beheer/signals/signal/{signal.pk}/change/").content.decode()
    assert 'name="status"' not in page
