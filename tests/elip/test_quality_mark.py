"""Quality mark lost (issue 14 point 3, DOMAIN.md "Routes out of the obligation"): DUO records the
loss in admin; ``elip.selectors.enrolled_at_lost_institution`` says which persons were enrolled there
(an enrolment ending on or after the loss date)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from elip.selectors import enrolled_at_lost_institution
from pib.duo_groups import FUNCTIONAL, sync_groups
from pib.models import Institution, Person, QualityMarkLoss
from pib.services import quality_mark_loss_record
from tests.pib.factories import EnrolmentFactory, InstitutionFactory, PersonFactory, QualityMarkLossFactory

pytestmark = pytest.mark.django_db

LOST_ON = dt.date(2025, 1, 1)


def flagged(persons=None, losses=None) -> set[str]:
    persons = persons if persons is not None else Person.objects.all()
    return set(persons.filter(enrolled_at_lost_institution(losses)).values_list("last_name", flat=True))


@pytest.fixture
def school():
    school = InstitutionFactory(name="Taalschool Zonder Keurmerk")
    QualityMarkLossFactory(institution=school, lost_on=LOST_ON)
    return school


def enrolled(name, school, start, end):
    return EnrolmentFactory(person=PersonFactory(last_name=name), institution=school, start_date=start, end_date=end)


def test_enrolment_ending_on_or_after_the_loss_date_is_flagged_and_one_ending_before_is_not(school):
    enrolled("EindigtOpDeDag", school, dt.date(2024, 1, 1), LOST_ON)
    enrolled("Loopt", school, dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    enrolled("NaHetVerlies", school, dt.date(2025, 2, 1), dt.date(2025, 12, 31))
    enrolled("DagErvoor", school, dt.date(2024, 1, 1), LOST_ON - dt.timedelta(days=1))
    enrolled("AndereSchool", InstitutionFactory(), dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    PersonFactory(last_name="NergensIngeschreven")
    assert flagged() == {"EindigtOpDeDag", "Loopt", "NaHetVerlies"}


def test_several_enrolments_flag_a_person_once_and_the_annotation_keeps_the_rows(school):
    person = enrolled("Twee", school, dt.date(2024, 1, 1), dt.date(2025, 6, 30)).person
    EnrolmentFactory(person=person, institution=school, start_date=dt.date(2025, 7, 1), end_date=dt.date(2025, 9, 1))
    PersonFactory(last_name="Geen")
    rows = dict(Person.objects.annotate(lost=enrolled_at_lost_institution()).values_list("last_name", "lost"))
    assert rows == {"Twee": True, "Geen": False}


def test_losses_can_be_narrowed(school):
    other = InstitutionFactory()
    QualityMarkLossFactory(institution=other, lost_on=LOST_ON)
    enrolled("Hier", school, dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    enrolled("Daar", other, dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    assert flagged(losses=QualityMarkLoss.objects.filter(institution=other)) == {"Daar"}
    assert flagged(losses=QualityMarkLoss.objects.none()) == set()


def test_the_flag_costs_no_extra_query(school, django_assert_num_queries):
    for i in range(5):
        enrolled(f"P{i}", school, dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    with django_assert_num_queries(1):
        assert len(list(Person.objects.annotate(lost=enrolled_at_lost_institution()))) == 5


def test_recording_a_loss_switches_the_current_mark_off():
    school = InstitutionFactory()
    assert school.quality_mark
    loss = quality_mark_loss_record(institution=school, lost_on=LOST_ON, note="Audit")
    school.refresh_from_db()
    assert not school.quality_mark and loss.history.count() == 1


def test_duo_records_a_loss_in_admin(client, django_user_model):
    sync_groups()
    admin = django_user_model.objects.create_user("beheer", password="x", is_staff=True)
    admin.groups.add(Group.objects.get(name=FUNCTIONAL))
    client.force_login(admin)
    school = InstitutionFactory()
    response = client.post(
        reverse("admin:pib_qualitymarkloss_add"),
        {"institution": school.pk, "lost_on": "01-01-2025", "note": "Keurmerk ingetrokken"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    loss = QualityMarkLoss.objects.get()
    assert loss.lost_on == LOST_ON and loss.institution == school
    assert not Institution.objects.get(pk=school.pk).quality_mark
    assert client.get(reverse("admin:pib_qualitymarkloss_change", args=[loss.pk])).status_code == 200
    assert client.get(reverse("admin:pib_institution_change", args=[school.pk])).status_code == 200
