"""Read logging of the person screens: a row per read in the same request, never a plain BSN
(not in the log table, not in any log output), and the log is append-only in Django admin."""

import logging
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from pib.constants import Role
from pib.models import ReadLogEntry
from pib.readlog import bsn_hash
from tests.elip.persons_data import AMSTERDAM, GRONINGEN, full_history
from tests.pib.factories import PersonFactory, UserFactory, valid_bsn

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    person = PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("9000"))
    return person, full_history(person, invoices=2)


def screen_urls(person, data):
    kw = {"public_id": person.public_id}
    return {
        "Details ELIP-inburgeraar": reverse("elip:person_detail", kwargs=kw),
        "Details examen": reverse("elip:person_exam", kwargs={**kw, "component": "Lezen"}),
        "Details contract": reverse("elip:person_contract", kwargs={**kw, "pk": data["contract"].pk}),
        "Details factuur": reverse("elip:person_invoice", kwargs={**kw, "pk": data["invoices"][1].pk}),
    }


def test_each_person_screen_writes_one_row_for_that_person(client_a, persons_user, person):
    person, data = person
    for screen, url in screen_urls(person, data).items():
        before = ReadLogEntry.objects.count()
        assert client_a.get(url).status_code == 200
        entry = ReadLogEntry.objects.order_by("-pk").first()
        assert ReadLogEntry.objects.count() == before + 1, screen
        assert entry.screen == screen
        assert entry.person == person
        assert entry.user == persons_user
        assert entry.municipality.code == GRONINGEN
        assert entry.role == Role.ELIP_PERSONS
        assert entry.result == ReadLogEntry.Result.SHOWN
        assert entry.bsn_hash == bsn_hash(person.bsn)


def test_list_logs_exactly_the_persons_shown_on_that_page(client_a):
    persons = [
        PersonFactory(elip=True, code=GRONINGEN, loan_used=Decimal("8720"), last_name=f"Lijst{i:02d}")
        for i in range(23)
    ]
    client_a.get(reverse("elip:persons_list"))
    logged = set(ReadLogEntry.objects.filter(screen="Overzicht ELIP").values_list("person_id", flat=True))
    assert logged == {p.pk for p in persons[:20]}
    client_a.get(reverse("elip:persons_list"), {"pagina": 2})
    assert ReadLogEntry.objects.filter(screen="Overzicht ELIP").count() == 23


def test_search_page_without_results_shown_logs_nothing(client_a, person):
    client_a.get(reverse("elip:persons_search"))  # only a count: no person data
    assert not ReadLogEntry.objects.exists()


def test_successful_search_is_logged_itself_and_by_the_detail_it_leads_to(client_a, person):
    person, _ = person
    client_a.post(reverse("elip:persons_search"), {"bsn": person.bsn}, follow=True)
    assert sorted(ReadLogEntry.objects.values_list("screen", "person_id", "result")) == [
        ("Details ELIP-inburgeraar", person.pk, ReadLogEntry.Result.SHOWN),
        ("ELIP zoeken", person.pk, ReadLogEntry.Result.FOUND),
    ]


def test_failed_search_logs_a_niet_gevonden_row_without_person(client_a, persons_user):
    other = PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))
    client_a.post(reverse("elip:persons_search"), {"bsn": other.bsn})
    entry = ReadLogEntry.objects.get()
    assert (entry.screen, entry.result, entry.person, entry.user) == (
        "ELIP zoeken",
        ReadLogEntry.Result.NOT_FOUND,
        None,
        persons_user,
    )


def test_404_of_out_of_scope_person_logs_no_read_of_that_person(client_a):
    other = PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))
    client_a.get(reverse("elip:person_detail", kwargs={"public_id": other.public_id}))
    assert not ReadLogEntry.objects.filter(person=other).exists()


def test_no_plain_bsn_in_the_log_table(client_a, person):
    person, data = person
    for url in screen_urls(person, data).values():
        client_a.get(url)
    client_a.get(reverse("elip:persons_list"))
    client_a.post(reverse("elip:persons_search"), {"bsn": person.bsn})
    missing = valid_bsn(987_654)
    client_a.post(reverse("elip:persons_search"), {"bsn": missing})
    rows = list(ReadLogEntry.objects.values())
    assert len(rows) >= 6
    for row in rows:
        for value in row.values():
            assert person.bsn not in str(value)
            assert missing not in str(value)


def test_no_plain_bsn_in_any_log_output_across_full_requests(client_a, person, caplog, settings):
    """Everything the application logs (django.request 404s, security, our own code) while
    every person screen is used, including searches and out-of-scope requests."""
    person, data = person
    other = PersonFactory(elip=True, code=AMSTERDAM, loan_used=Decimal("8720"))
    caplog.set_level(logging.DEBUG)  # the root logger and everything that propagates to it
    for name in ("django", "django.request", "django.security", "django.server", "pib", "elip"):
        caplog.set_level(logging.DEBUG, logger=name)
    for url in screen_urls(person, data).values():
        assert client_a.get(url).status_code == 200
    client_a.get(reverse("elip:persons_list"))
    client_a.post(reverse("elip:persons_search"), {"bsn": person.bsn}, follow=True)
    client_a.post(reverse("elip:persons_search"), {"bsn": other.bsn})
    client_a.post(reverse("elip:persons_search"), {"bsn": "123456788"})  # fails the elfproef
    client_a.get(reverse("elip:person_detail", kwargs={"public_id": other.public_id}))  # 404, logged as warning
    client_a.put(reverse("elip:persons_search"), data=f"bsn={person.bsn}")  # 405, logged as warning
    output = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "Not Found" in output  # proves log output was captured at all
    for bsn in (person.bsn, other.bsn, "123456788"):
        assert bsn not in output


def test_search_masks_the_bsn_in_error_reports(client_a, person):
    person, _ = person
    response = client_a.post(reverse("elip:persons_search"), {"bsn": valid_bsn(4242)})
    assert response.wsgi_request.sensitive_post_parameters == ("bsn",)


# --- Append-only in Django admin --------------------------------------------------------------


@pytest.fixture
def admin_client_duo():
    admin = UserFactory(username="duo-beheer", is_staff=True, is_superuser=True)
    admin.save()  # the factory sets the password after create without saving it
    client = Client()
    client.force_login(admin)
    return client


def test_readlog_admin_has_no_add_change_or_delete(admin_client_duo, rf, person):
    person, _ = person
    entry_admin = site._registry[ReadLogEntry]
    request = rf.get("/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert not entry_admin.has_add_permission(request)
    assert not entry_admin.has_change_permission(request)
    assert not entry_admin.has_delete_permission(request)
    assert entry_admin.has_view_permission(request)
    assert not entry_admin.get_actions(request)  # no bulk "delete selected"


def test_readlog_admin_pages_refuse_writes(admin_client_duo, client_a, person):
    person, data = person
    client_a.get(screen_urls(person, data)["Details contract"])
    entry = ReadLogEntry.objects.get()
    base = "/beheer/pib/readlogentry/"
    assert admin_client_duo.get(base).status_code == 200
    assert admin_client_duo.get(f"{base}add/").status_code == 403
    assert admin_client_duo.post(f"{base}add/", {"screen": "x"}).status_code == 403
    assert admin_client_duo.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert admin_client_duo.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client_duo.post(f"{base}{entry.pk}/change/", {"screen": "gewijzigd", "result": "geweigerd"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.screen, entry.result) == ("Details contract", ReadLogEntry.Result.SHOWN)
    # Nothing removed or changed; the only new row is the admin's own (logged) read of the list.
    assert list(ReadLogEntry.objects.exclude(pk=entry.pk).values_list("screen", flat=True)) == [
        "beheer: leesregistraties"
    ]


def test_readlog_admin_finds_rows_by_bsn_without_storing_it(admin_client_duo, client_a, person):
    person, data = person
    client_a.get(screen_urls(person, data)["Details ELIP-inburgeraar"])
    before = ReadLogEntry.objects.count()
    response = admin_client_duo.post("/beheer/pib/readlogentry/", {"q": person.bsn, "_zoeken": "Zoeken"}, follow=True)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert ReadLogEntry.objects.count() == before + 1  # the admin's own read of that row is logged too
