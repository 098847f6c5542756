"""Downloaden bestanden: the municipality's bundles of the last 3 months and a person's own letter,
for the role Raadplegen ELIP personen only, streamed, read-logged for every person in the file."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from letters.models import Letter, LetterBundle, RenderStatus
from pib.constants import Role
from pib.dates import add_months
from pib.models import Person, ReadLogEntry
from tests.elip.persons_data import AMSTERDAM, GRONINGEN
from tests.letters.factories import LetterFactory
from tests.pib.factories import PersonFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db


def bundle_for(code, run_date, persons, body=b"%PDF-1.7 bundel"):
    letters = [LetterFactory(person=p, municipality=municipality(code), letter_date=run_date) for p in persons]
    for letter in letters:
        letter.pdf.save(f"brief-{letter.pk}.pdf", ContentFile(b"%PDF-1.7 brief " + str(letter.pk).encode()))
        Letter.objects.filter(pk=letter.pk).update(render_status=RenderStatus.RENDERED)
    bundle = LetterBundle.objects.create(
        dispatch=letters[0].dispatch, municipality=municipality(code), letters_count=len(letters)
    )
    bundle.pdf.save(f"bundel-{code}-{run_date:%Y%m%d}.pdf", ContentFile(body))
    return bundle


def persons(code, n):
    return [PersonFactory(municipality=municipality(code), loan_used=9000) for _ in range(n)]


def streamed(response) -> bytes:
    assert response.streaming  # FileResponse: never the whole file in memory
    return b"".join(response.streaming_content)


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_page_lists_the_bundles_of_the_last_3_months_newest_first(client_a, today):
    recent = bundle_for(GRONINGEN, today - dt.timedelta(days=7), persons(GRONINGEN, 2))
    older = bundle_for(GRONINGEN, add_months(today, -3) + dt.timedelta(days=7), persons(GRONINGEN, 1))
    too_old = bundle_for(GRONINGEN, add_months(today, -3), persons(GRONINGEN, 1))
    other = bundle_for(AMSTERDAM, today - dt.timedelta(days=7), persons(AMSTERDAM, 1))
    page = client_a.get(reverse("elip:downloads")).content.decode()
    urls = [reverse("elip:download_bundle", kwargs={"pk": b.pk}) for b in (recent, older, too_old, other)]
    assert urls[0] in page and urls[1] in page
    assert page.index(urls[0]) < page.index(urls[1])
    assert urls[2] not in page and urls[3] not in page
    assert '<h1 class="utrecht-heading-1">Downloaden bestanden</h1>' in page


def test_no_bundles_says_so(client_a):
    page = client_a.get(reverse("elip:downloads")).content.decode()
    assert "Er zijn in de afgelopen 3 maanden geen ELIP-brieven namens uw gemeente verstuurd." in page


def test_a_bundle_is_streamed_and_read_logged_for_every_person_in_it(client_a, persons_user, today):
    people = persons(GRONINGEN, 3)
    bundle = bundle_for(GRONINGEN, today - dt.timedelta(days=7), people, body=b"%PDF-1.7 de bundel")
    response = client_a.get(reverse("elip:download_bundle", kwargs={"pk": bundle.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert streamed(response) == b"%PDF-1.7 de bundel"
    for person in people:
        assert person.bsn not in response["Content-Disposition"]
    logged = ReadLogEntry.objects.filter(user=persons_user, screen__startswith="Downloaden bestanden")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert set(logged.values_list("role", flat=True)) == {Role.ELIP_PERSONS}


def test_another_municipalitys_bundle_or_an_old_one_is_not_found_and_not_logged(client_a, today):
    other = bundle_for(AMSTERDAM, today - dt.timedelta(days=7), persons(AMSTERDAM, 1))
    old = bundle_for(GRONINGEN, add_months(today, -4), persons(GRONINGEN, 1))
    for bundle in (other, old):
        assert client_a.get(reverse("elip:download_bundle", kwargs={"pk": bundle.pk})).status_code == 404
    assert not ReadLogEntry.objects.filter(screen__startswith="Downloaden bestanden").exists()


@pytest.mark.parametrize("role", [Role.ELIP_LETTER, Role.ELIP_SIGNALS, Role.VIEW_2013])
def test_other_roles_are_denied(client, role, today):
    bundle = bundle_for(GRONINGEN, today - dt.timedelta(days=7), persons(GRONINGEN, 1))
    client.force_login(UserFactory(username="ander", roles={GRONINGEN: [role]}))
    for url in (reverse("elip:downloads"), reverse("elip:download_bundle", kwargs={"pk": bundle.pk})):
        assert client.get(url).status_code == 403
    assert not ReadLogEntry.objects.filter(screen__startswith="Downloaden bestanden").exists()


def test_the_person_detail_links_the_persons_own_letter_which_is_streamed_and_logged(client_a, persons_user, today):
    [person] = persons(GRONINGEN, 1)
    bundle_for(GRONINGEN, today - dt.timedelta(days=7), [person])
    letter = Letter.objects.get(person=person)
    detail = client_a.get(reverse("elip:person_detail", kwargs={"public_id": person.public_id})).content.decode()
    url = reverse("elip:person_letter", kwargs={"public_id": person.public_id})
    assert f'href="{url}"' in detail
    response = client_a.get(url)
    assert response.status_code == 200
    assert streamed(response) == b"%PDF-1.7 brief " + str(letter.pk).encode()
    assert ReadLogEntry.objects.filter(
        user=persons_user, person=person, screen="Details ELIP-inburgeraar: ELIP-brief (PDF)"
    ).exists()


def test_a_letter_sent_for_another_municipality_or_not_rendered_is_not_offered(client_a, today):
    moved_in = PersonFactory(municipality=municipality(AMSTERDAM), loan_used=9000)
    bundle_for(AMSTERDAM, today - dt.timedelta(days=7), [moved_in])
    Person.objects.filter(pk=moved_in.pk).update(municipality=municipality(GRONINGEN))  # SS403: visible, not our letter
    [pending] = persons(GRONINGEN, 1)
    LetterFactory(person=pending)  # not rendered yet
    for person in (moved_in, pending):
        detail = client_a.get(reverse("elip:person_detail", kwargs={"public_id": person.public_id}))
        assert detail.status_code == 200
        url = reverse("elip:person_letter", kwargs={"public_id": person.public_id})
        assert url not in detail.content.decode()
        assert "Niet beschikbaar" in detail.content.decode()
        assert client_a.get(url).status_code == 404


def test_the_start_screen_links_downloads_only_for_the_persons_role(client):
    client.force_login(UserFactory(username="p", roles={GRONINGEN: [Role.ELIP_PERSONS]}))
    assert f'href="{reverse("elip:downloads")}"' in client.get(reverse("start")).content.decode()
    client.force_login(UserFactory(username="w", roles={GRONINGEN: [Role.VIEW_2013]}))
    page = client.get(reverse("start")).content.decode()
    assert "Downloaden bestanden" in page and reverse("elip:downloads") not in page
