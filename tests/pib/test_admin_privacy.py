"""DUO admins in Django admin: a search term (a BSN) never lands in a URL, and every list or page
that shows persons' data is read-logged, like the portal's screens."""

import re
from html import unescape

import pytest
from django.contrib import admin
from django.urls import reverse

from pib.admin_base import PrivateSearchMixin
from pib.models import Person, ReadLogEntry
from tests.pib.factories import PersonFactory, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def duo(client, django_user_model):
    user = django_user_model.objects.create_superuser("duo", password="geheim-wachtwoord-123")
    client.force_login(user)
    return client


def hrefs(response) -> list[str]:
    return [unescape(h) for h in re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())]


def test_every_admin_uses_the_private_search():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, PrivateSearchMixin), f"{model.__name__} admin searches by GET"


def test_searching_a_bsn_keeps_it_out_of_every_url(duo):
    wanted = PersonFactory()
    PersonFactory.create_batch(3)
    url = reverse("admin:pib_person_changelist")
    response = duo.post(url, {"q": wanted.bsn, "_zoeken": "Zoeken"})
    assert response.status_code == 302 and wanted.bsn not in response["Location"]
    page = duo.get(response["Location"])
    assert list(page.context["cl"].result_list) == [wanted]
    assert wanted.bsn in page.content.decode()  # shown in the search box and the row, as data
    assert all(wanted.bsn not in link for link in hrefs(page)), "a link on the page carries the BSN"


def test_a_bsn_typed_into_the_url_is_not_used_as_search(duo):
    wanted = PersonFactory()
    PersonFactory.create_batch(2)
    page = duo.get(reverse("admin:pib_person_changelist"), {"q": wanted.bsn})
    assert page.status_code == 200
    assert page.context["cl"].query == ""
    assert page.context["cl"].result_count == 3


def test_an_unknown_search_token_shows_the_unfiltered_list(duo):
    PersonFactory.create_batch(2)
    page = duo.get(reverse("admin:pib_person_changelist"), {"zoek": "bestaat-niet"})
    assert page.status_code == 200 and page.context["cl"].result_count == 2


def test_search_is_kept_with_paging_and_filters(duo):
    target = PersonFactory(last_name="Zoekmij")
    PersonFactory(last_name="Anders")
    url = reverse("admin:pib_person_changelist")
    location = duo.post(url + "?obligation_status__exact=inburgeringsplichtig", {"q": "Zoekmij", "_zoeken": "1"})[
        "Location"
    ]
    assert "obligation_status__exact=inburgeringsplichtig" in location and "zoek=" in location
    assert list(duo.get(location).context["cl"].result_list) == [target]


def test_admin_person_list_and_page_are_read_logged(duo):
    person = PersonFactory()
    pay(person, 100)
    duo.get(reverse("admin:pib_person_changelist"))
    assert ReadLogEntry.objects.filter(person=person, screen="beheer: inburgeraars").count() == 1
    duo.get(reverse("admin:pib_person_change", args=[person.pk]))
    assert ReadLogEntry.objects.filter(person=person, screen="beheer: inburgeraar").count() == 1
    duo.get(reverse("admin:pib_invoice_changelist"))
    assert ReadLogEntry.objects.filter(person=person, screen="beheer: facturen").count() == 1
    assert not ReadLogEntry.objects.exclude(bsn_hash__regex=r"^[0-9a-f]{64}$").exists()


def test_lists_without_person_data_write_no_log_rows(duo):
    duo.get(reverse("admin:pib_municipality_changelist"))
    assert not ReadLogEntry.objects.exists()
    assert Person.objects.count() == 0
