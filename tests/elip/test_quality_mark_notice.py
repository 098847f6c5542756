"""Quality mark lost (issue 14 point 3): each affected municipality sees on its start screen how many
of its ELIP persons are enrolled at the institution (no names) until a user of that municipality
acknowledges it; other municipalities, other roles and persons it may not see count for nothing."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from elip.models import QualityMarkAcknowledgement
from elip.notices import quality_mark_notices
from pib.access import SESSION_KEY
from pib.constants import Role
from pib.models import Person
from pib.start_notices import Notice, notices_for, register
from tests.pib.factories import (
    EnrolmentFactory,
    InstitutionFactory,
    PersonFactory,
    QualityMarkLossFactory,
    UserFactory,
    municipality,
)

pytestmark = pytest.mark.django_db

GRONINGEN, AMSTERDAM, UTRECHT = "GM0014", "GM0363", "GM0344"
LOST = dt.date(2025, 1, 15)
NOTICE = (
    "2 van uw ELIP-inburgeraars volgen les bij Taalschool Noord, dat op 15-01-2025 het keurmerk Blik op Werk verloor."
)


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def enrolled(code, school, end=dt.date(2025, 6, 30), **person):
    person = PersonFactory(elip=True, code=code, **person)
    EnrolmentFactory(person=person, institution=school, end_date=end)
    return person


@pytest.fixture
def loss():
    school = InstitutionFactory(name="Taalschool Noord")
    loss = QualityMarkLossFactory(institution=school, lost_on=LOST)
    enrolled(GRONINGEN, school)
    enrolled(GRONINGEN, school, end=LOST)  # ended on the loss date: counts (the worklist's rule)
    enrolled(GRONINGEN, school, end=LOST - dt.timedelta(days=1))  # ended before: does not
    PersonFactory(code=GRONINGEN)  # no letter: not an ELIP person
    EnrolmentFactory(person=Person.objects.filter(elip_letter__isnull=True).get(), institution=school)
    enrolled(GRONINGEN, school, obligation_status="voldaan")  # obligation ended: not listed
    enrolled(AMSTERDAM, school)  # Amsterdam's own notice: 1
    return loss


def client_for(username, roles, chosen=None):
    client = Client()
    client.force_login(UserFactory(username=username, roles=roles))
    if chosen:
        session = client.session
        session[SESSION_KEY] = municipality(chosen).pk
        session.save()
    return client


def test_the_affected_municipality_sees_the_count_without_names(loss):
    client = client_for("groningen", {GRONINGEN: [Role.ELIP_PERSONS]})
    page = text(client.get("/"))
    assert NOTICE in page
    assert "Taalschool Noord heeft het keurmerk Blik op Werk niet meer" in page
    for person in Person.objects.all():
        assert person.bsn not in page and person.last_name not in page and str(person.public_id) not in page


def test_other_municipalities_and_other_roles_see_nothing(loss):
    assert "Taalschool Noord" not in text(client_for("utrecht", {UTRECHT: [Role.ELIP_PERSONS]}).get("/"))
    amsterdam = text(client_for("amsterdam", {AMSTERDAM: [Role.ELIP_PERSONS]}).get("/"))
    assert "1 van uw ELIP-inburgeraars volgt les bij Taalschool Noord" in amsterdam and "2 van uw" not in amsterdam
    for role in (Role.ELIP_SIGNALS, Role.ELIP_LETTER, Role.MIJN_DUO_ADMIN, Role.VIEW_2013):
        assert "Taalschool Noord" not in text(client_for(f"rol-{role}", {GRONINGEN: [role]}).get("/"))


def test_a_regional_user_sees_the_chosen_municipalitys_notice_only(loss):
    roles = {GRONINGEN: [Role.ELIP_PERSONS], AMSTERDAM: [Role.ELIP_PERSONS]}
    assert NOTICE in text(client_for("regio-g", roles, chosen=GRONINGEN).get("/"))
    amsterdam = text(client_for("regio-a", roles, chosen=AMSTERDAM).get("/"))
    assert "1 van uw ELIP-inburgeraars volgt" in amsterdam and NOTICE not in amsterdam


def test_acknowledging_hides_it_for_every_colleague_of_that_municipality_only_and_is_logged(loss):
    one = client_for("een", {GRONINGEN: [Role.ELIP_PERSONS]})
    colleague = client_for("collega", {GRONINGEN: [Role.ELIP_PERSONS]})
    amsterdam = client_for("adam", {AMSTERDAM: [Role.ELIP_PERSONS]})
    url = reverse("elip:quality_mark_acknowledge", kwargs={"loss_id": loss.pk})
    assert f'action="{url}"' in one.get("/").content.decode()

    response = one.post(url, follow=True)

    page = text(response)
    assert "De melding over Taalschool Noord is als gelezen gemarkeerd voor de gemeente Groningen." in page
    assert NOTICE not in page and NOTICE not in text(colleague.get("/"))
    assert "1 van uw ELIP-inburgeraars volgt" in text(amsterdam.get("/"))  # Amsterdam's stays
    row = QualityMarkAcknowledgement.objects.get()
    assert (row.municipality.code, row.acknowledged_by.username, row.persons_count) == (GRONINGEN, "een", 2)
    # a double click: a message, not an error, no second row
    again = colleague.post(url, follow=True)
    assert "al als gelezen gemarkeerd" in text(again) and QualityMarkAcknowledgement.objects.count() == 1


def test_it_comes_back_when_more_of_the_municipalitys_persons_turn_out_to_be_enrolled_there(loss):
    client = client_for("terug", {GRONINGEN: [Role.ELIP_PERSONS]})
    client.post(reverse("elip:quality_mark_acknowledge", kwargs={"loss_id": loss.pk}))
    assert "van uw ELIP-inburgeraars" not in text(client.get("/"))
    enrolled(GRONINGEN, loss.institution)  # e.g. the next run's letter to someone enrolled there
    assert "3 van uw ELIP-inburgeraars volgen les bij Taalschool Noord" in text(client.get("/"))


def test_acknowledge_needs_the_role_csrf_and_a_loss_that_concerns_the_municipality(loss):
    url = reverse("elip:quality_mark_acknowledge", kwargs={"loss_id": loss.pk})
    assert client_for("signalen", {GRONINGEN: [Role.ELIP_SIGNALS]}).post(url).status_code == 403
    assert client_for("utrecht", {UTRECHT: [Role.ELIP_PERSONS]}).post(url).status_code == 404
    other = QualityMarkLossFactory(institution=InstitutionFactory(name="Elders"), lost_on=LOST)
    client = client_for("g", {GRONINGEN: [Role.ELIP_PERSONS]})
    assert client.post(reverse("elip:quality_mark_acknowledge", kwargs={"loss_id": other.pk})).status_code == 404
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory(username="csrf", roles={GRONINGEN: [Role.ELIP_PERSONS]}))
    assert strict.post(url).status_code == 403
    assert not QualityMarkAcknowledgement.objects.exists()
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))


def test_the_start_screen_costs_a_fixed_number_of_queries_for_the_notice(loss, django_assert_max_num_queries):
    user = UserFactory(username="tel", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    for _ in range(5):
        QualityMarkLossFactory(institution=InstitutionFactory(), lost_on=LOST)  # no Groningen person there
    groningen = municipality(GRONINGEN)
    with django_assert_max_num_queries(2):
        notices = quality_mark_notices(user, groningen)
    assert [n.persons for n in notices] == [2]


def test_the_registry_passes_each_request_to_every_provider(rf, loss):
    seen = []

    def provider(request):
        seen.append(request.municipality)
        return [Notice(title="Test", text="Een testmelding.")]

    register(provider)
    register(provider)  # once only
    try:
        request = rf.get("/")
        request.user = UserFactory(username="reg", roles={GRONINGEN: [Role.ELIP_PERSONS]})
        request.municipality, request.roles = municipality(GRONINGEN), {Role.ELIP_PERSONS}
        notices = notices_for(request)
        assert [n.title for n in notices][-1] == "Test" and seen == [municipality(GRONINGEN)]
        request.municipality = None
        assert notices_for(request) == []
    finally:
        from pib import start_notices

        start_notices._providers.remove(provider)
