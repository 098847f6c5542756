"""Every model is registered, and every changelist, add and change page answers 200 for a superuser (an operator)."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from elip.demo.accounts import create_demo_accounts, create_demo_enrolments
from elip.demo.population import build_population
from elip.models import PolicyVersion, RunMunicipality, SelectionRun
from letters.models import Letter, LetterBundle
from pib.models import Person, ReadLogEntry
from signals.models import PersonContact, Signal, SignalStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(django_user_model):
    build_population(persons=30, seed=3, today=dt.date(2026, 11, 26))
    create_demo_accounts()
    create_demo_enrolments()
    person = Person.objects.filter(extensions__isnull=False, invoices__isnull=False).distinct().first()
    run = SelectionRun.objects.create(run_date=dt.date(2026, 11, 25), iso_year=2026, iso_week=48,
                                      policy=PolicyVersion.objects.first())  # fmt: skip
    RunMunicipality.objects.create(run=run, municipality=person.municipality, letters_count=1)
    Letter.objects.create(person=person, municipality=person.municipality, dispatch=run.dispatch,
                          letter_date=run.run_date, reference="ELIP-TEST", matched_rule="lening",
                          snapshot={})  # fmt: skip
    LetterBundle.objects.create(dispatch=run.dispatch, municipality=person.municipality, letters_count=1)
    signal = Signal.objects.create(person=person, municipality=person.municipality, code="SS400",
                                   placed_on=run.run_date)  # fmt: skip
    SignalStatusChange.objects.create(signal=signal, from_status="nieuw", to_status="in_behandeling")
    from django.contrib.auth.models import Group

    Group.objects.create(name="DUO-medewerkers")
    admin_user = django_user_model.objects.get(username="duo-beheer")
    operator = django_user_model.objects.create_superuser("operator", password="Inburgering-Demo-2025")
    from pib.models import RoleChange

    RoleChange.objects.create(actor=operator, user=admin_user, kind="groep", action="toegekend", what="x")
    ReadLogEntry.objects.create(user=admin_user, screen="test", person=person)
    # A comparison-group entry (the weekly run records it for a municipality that is not enrolled).
    from elip.models import ComparisonEntry

    other = Person.objects.exclude(pk=person.pk).first()
    ComparisonEntry.objects.create(person=other, municipality=other.municipality, run=run, selected_on=run.run_date)
    # A criteria draft and its log row (four eyes, elip.services.policy).
    from elip.services.policy import policy_draft_create

    policy_draft_create(user=admin_user, valid_from=dt.date(2099, 1, 1), months_before_term_end=0,
                        term_rule_percentage=95, loan_rule_percentage=95)  # fmt: skip
    PersonContact.objects.create(municipality=person.municipality, person=person, user=admin_user)
    # Sign-in records: an authenticator device, a failed and a successful attempt (django-axes).
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin_user, name="Authenticator-app")
    # Mijn DUO-beheer records: a colleague's account, its activation code and the log row.
    from django.utils import timezone

    from mijnduo.models import AccountChange, ActivationCode, MunicipalAccount

    colleague = django_user_model.objects.create_user("collega-test")
    MunicipalAccount.objects.create(user=colleague, municipality=person.municipality, created_by=operator)
    ActivationCode.objects.create(user=colleague, municipality=person.municipality, code_hash="0" * 64,
                                  sent_by=operator, expires_at=timezone.now())  # fmt: skip
    AccountChange.objects.create(
        actor=operator,
        actor_username="operator",
        user=colleague,
        username="collega-test",
        municipality=person.municipality,
        action="aangemaakt",
    )
    # Control room records: an alert of the run and the audit row of acknowledging it.
    from controlroom.models import Alert, ControlAction

    alert = Alert.objects.create(key="pdf_mislukt:2026-11-25:X", kind="pdf_mislukt", run_date=run.run_date, run=run,
                                 municipality=person.municipality, message="1 PDF('s) mislukt.")  # fmt: skip
    ControlAction.objects.create(user=admin_user, kind="melding_gezien", alert=alert, run=run)
    # The weekly digest: a user's setting and one sent digest.
    from elip.models import DigestDelivery, DigestSubscription

    DigestSubscription.objects.create(user=colleague, active=True, changed_at=timezone.now(), changed_via="portaal")
    DigestDelivery.objects.create(run=run, user=colleague, sent_at=timezone.now(), municipalities=1)
    # A colleague's account linked to its single-sign-on identity at activation.
    from pib.models import SsoIdentity

    SsoIdentity.objects.create(user=colleague, issuer="https://idp.example.nl", subject="collega-test")
    # A municipality acknowledged the notice about a lost quality mark.
    from elip.models import QualityMarkAcknowledgement
    from pib.models import Institution, QualityMarkLoss

    loss = QualityMarkLoss.objects.first() or QualityMarkLoss.objects.create(
        institution=Institution.objects.first(), lost_on=run.run_date
    )
    QualityMarkAcknowledgement.objects.create(
        municipality=person.municipality, loss=loss, acknowledged_by=colleague, persons_count=1
    )
    Client().post(reverse("login"), {"username": "groningen", "password": "onjuist-wachtwoord"})
    Client().post(reverse("login"), {"username": "amsterdam", "password": "Inburgering-Demo-2025"})
    return person


def admin_urls():
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin, model._meta.app_label, model._meta.model_name


def test_every_registry_model_is_registered():
    from django.apps import apps

    for app in ("pib", "elip", "letters", "signals", "controlroom"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name.startswith("historical"):
                continue  # registry history: shown on its object's "Geschiedenis" page
            assert model in admin.site._registry, f"{model.__name__} is not in Django admin"


def test_every_changelist_add_and_change_page_answers_200(client, populated):
    client.login(username="operator", password="Inburgering-Demo-2025")
    checked = 0
    for model, model_admin, app, name in admin_urls():
        response = client.get(reverse(f"admin:{app}_{name}_changelist"))
        assert response.status_code == 200, f"changelist {app}.{name}"
        if model_admin.has_add_permission(response.wsgi_request):
            assert client.get(reverse(f"admin:{app}_{name}_add")).status_code == 200, f"add {app}.{name}"
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {app}.{name} row to open"
        response = client.get(reverse(f"admin:{app}_{name}_change", args=[obj.pk]))
        assert response.status_code == 200, f"change {app}.{name}"
        checked += 1
    assert checked >= 20


def test_person_change_page_shows_all_inlines_in_dutch(client, populated):
    client.login(username="operator", password="Inburgering-Demo-2025")
    html = client.get(reverse("admin:pib_person_change", args=[populated.pk])).content.decode()
    for heading in ["Lening", "Verzoeken", "Verlengingen inburgeringstermijn", "Examenonderdelen", "Inschrijvingen",
                    "Contracten", "Facturen", "Burgerservicenummer", "Datum einde inburgeringstermijn"]:  # fmt: skip
        assert heading.lower() in html.lower(), heading


def test_person_admin_finds_a_person_by_bsn_and_filters_by_municipality(client, populated):
    client.login(username="operator", password="Inburgering-Demo-2025")
    url = reverse("admin:pib_person_changelist")
    response = client.post(url, {"q": populated.bsn, "_zoeken": "Zoeken"}, follow=True)
    assert list(response.context["cl"].result_list) == [populated]
    response = client.get(url, {"municipality__id__exact": populated.municipality_id, "obligation_status__exact":
                                populated.obligation_status})  # fmt: skip
    assert populated in response.context["cl"].result_list


def test_read_log_is_append_only_in_admin(client, populated):
    client.login(username="operator", password="Inburgering-Demo-2025")
    entry = ReadLogEntry.objects.first()
    assert client.get(reverse("admin:pib_readlogentry_add")).status_code == 403
    assert client.get(reverse("admin:pib_readlogentry_delete", args=[entry.pk])).status_code == 403
    response = client.post(reverse("admin:pib_readlogentry_change", args=[entry.pk]), {"screen": "x"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.screen == "test"
