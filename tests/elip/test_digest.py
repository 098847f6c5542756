"""The weekly e-mail digest (issue 14 point 4, docs/digest.md): opt-in in the portal, sent after the
run through Django's SMTP backend to a real SMTP server on loopback (aiosmtpd), counts only, once per
user per run, an opt-out link that works without login; a mail failure never touches the run."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from elip import tasks
from elip.constants import DigestChannel, RunStatus
from elip.models import DigestDelivery, DigestSubscription, SelectionRun
from elip.selectors import digest_sections
from elip.services.digest import digest_send, digest_subscription_set, optout_token
from pib.constants import Role
from pib.models import Person
from signals.constants import SignalCode
from signals.models import Signal
from tests.elip.factories import SelectionRunFactory, enrol
from tests.pib.factories import ALL_ELIP_ROLES, PersonFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db

RUN = dt.date(2025, 3, 12)  # a Wednesday; the previous run is the letters' factory date, 05-03-2025
GRONINGEN, AMSTERDAM, UTRECHT = "GM0014", "GM0363", "GM0344"
PORTAL = "https://portal.example.nl"


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_BASE_URL = PORTAL


def signal(code, placed_on, person=None):
    person = person or PersonFactory(elip=True, code=code)
    return Signal.objects.create(
        municipality=municipality(code), person=person, code=SignalCode.SS401, placed_on=placed_on
    )


@pytest.fixture
def world():
    """Groningen enrolled with two candidates for this run; ELIP persons and signals around it."""
    SelectionRunFactory(run_date=dt.date(2025, 3, 5))  # the previous run
    enrol(GRONINGEN)
    for _ in range(2):  # lettered by this run; their terms end within 3 months
        PersonFactory(code=GRONINGEN, loan_used=Decimal("8000"), term_end=dt.date(2025, 5, 1))
    soon = PersonFactory(elip=True, code=GRONINGEN, term_end=dt.date(2025, 6, 12))  # exactly 3 months: counts
    PersonFactory(elip=True, code=GRONINGEN, term_end=dt.date(2025, 6, 13))  # one day later: does not
    PersonFactory(elip=True, code=GRONINGEN, term_end=dt.date(2025, 1, 1))  # overdue: not "binnen 3 maanden"
    PersonFactory(elip=True, code=GRONINGEN, term_end=dt.date(2025, 4, 1), obligation_status="voldaan")  # ended
    signal(GRONINGEN, dt.date(2025, 3, 10), soon)  # this week
    signal(GRONINGEN, dt.date(2025, 3, 5))  # on the previous run's date: last week's
    signal(AMSTERDAM, dt.date(2025, 3, 6))
    signal(UTRECHT, dt.date(2025, 3, 6))  # a municipality the user holds no role for
    user = UserFactory(
        username="casus", email="casus@groningen.nl", roles={GRONINGEN: ALL_ELIP_ROLES, AMSTERDAM: [Role.ELIP_SIGNALS]}
    )
    digest_subscription_set(user=user, active=True)
    return user


def run_the_week():
    """The beat task at Wednesday 06:00 (Amsterdam): the run, then its digests."""
    moment = dt.datetime.combine(RUN, dt.time(6, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(moment, tick=False):
        return SelectionRun.objects.get(pk=tasks.weekly_run())


def test_after_the_run_the_subscriber_gets_counts_per_municipality_over_smtp(world, smtp_server):
    run = run_the_week()

    assert run.status == RunStatus.DONE
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["casus@groningen.nl"]
    message = received["message"]
    assert message["Subject"] == "Portal Inburgering: wekelijkse samenvatting van 12-03-2025"
    text, html = smtp_server.bodies()[0], smtp_server.html()[0]
    assert "Gemeente Amsterdam: 1 nieuw signaal." in text  # signals role only: no persons' counts
    assert (
        "Gemeente Groningen: 2 nieuwe ELIP-inburgeraars, 3 nieuwe signalen, 3 personen met termijn binnen 3 maanden."
        in text
    )  # signals: this week's SS401 and the run's two SS400 (not last week's); terms: the two new + 12-06
    assert "Utrecht" not in text and "Utrecht" not in html
    assert "<li>3 personen met termijn binnen 3 maanden</li>" in html
    assert f"{PORTAL}/" in text and f'href="{PORTAL}/"' in html
    # counts only: no BSN, no name, no person link of anyone
    for person in Person.objects.all():
        for body in (text, html):
            assert person.bsn not in body and person.last_name not in body and str(person.public_id) not in body
    assert not re.search(r"(?<!\d)\d{9}(?!\d)", text)
    optout = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert optout.startswith(f"{PORTAL}/elip/samenvatting/afmelden/") and optout in text and optout in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert DigestDelivery.objects.get(run=run, user=world).sent_at is not None


def test_a_second_call_or_a_redelivered_task_sends_nothing_twice(world, smtp_server):
    run = run_the_week()
    tasks.send_weekly_digests(run.pk)
    tasks.send_digest(run.pk, world.pk)
    run_the_week()  # the beat task redelivered: the run is done, the digest was sent
    assert len(smtp_server.messages) == 1
    assert DigestDelivery.objects.filter(run=run, user=world).count() == 1


def test_only_subscribed_active_users_with_an_address_and_an_elip_role_get_it(world, smtp_server):
    UserFactory(username="niet-aangezet", email="a@groningen.nl", roles={GRONINGEN: ALL_ELIP_ROLES})
    off = UserFactory(username="uitgezet", email="b@groningen.nl", roles={GRONINGEN: ALL_ELIP_ROLES})
    digest_subscription_set(user=off, active=True)
    digest_subscription_set(user=off, active=False)
    for username, extra in (("zonder-adres", {"email": ""}), ("inactief", {"is_active": False})):
        user = UserFactory(username=username, roles={GRONINGEN: ALL_ELIP_ROLES}, **{"email": "c@x.nl", **extra})
        digest_subscription_set(user=user, active=True)
    no_elip = UserFactory(username="wet-2013", email="d@groningen.nl", roles={GRONINGEN: [Role.VIEW_2013]})
    digest_subscription_set(user=no_elip, active=True)

    run_the_week()

    assert [m["to"] for m in smtp_server.messages] == [["casus@groningen.nl"]]


def test_each_count_follows_the_role_that_shows_it_in_the_portal(world):
    run_the_week()
    run = SelectionRun.objects.get(run_date=RUN)
    letter_only = UserFactory(username="brief", roles={GRONINGEN: [Role.ELIP_LETTER]})
    persons_only = UserFactory(username="personen", roles={GRONINGEN: [Role.ELIP_PERSONS]})
    [letter] = digest_sections(letter_only, run)
    [persons] = digest_sections(persons_only, run)
    assert (letter.new_persons, letter.new_signals, letter.term_soon) == (2, None, None)
    assert (persons.new_persons, persons.new_signals, persons.term_soon) == (2, None, 3)
    assert letter.summary == "2 nieuwe ELIP-inburgeraars"


def test_nothing_new_means_no_mail(smtp_server):
    enrol(GRONINGEN)
    user = UserFactory(username="rustig", email="r@groningen.nl", roles={GRONINGEN: [Role.ELIP_SIGNALS]})
    digest_subscription_set(user=user, active=True)
    run_the_week()
    assert smtp_server.messages == []
    assert not DigestDelivery.objects.exists()


def test_a_mail_failure_never_breaks_the_run_and_a_later_try_sends_it(world, closed_smtp_port, settings):
    run = run_the_week()  # the SMTP server is down: every retry fails

    assert run.status == RunStatus.DONE and run.per_municipality.get().letters_count == 2
    assert not DigestDelivery.objects.filter(sent_at__isnull=False).exists()

    from aiosmtpd.controller import Controller

    from tests.smtp import Inbox, free_port  # the server is back

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_PORT = port
        assert digest_send(run_id=run.pk, user_id=world.pk) is True
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_an_older_runs_digest_is_not_sent_once_a_newer_run_exists(world, smtp_server):
    old = SelectionRun.objects.get(run_date=dt.date(2025, 3, 5))
    SelectionRun.objects.filter(pk=old.pk).update(status=RunStatus.DONE)
    run_the_week()
    smtp_server.messages.clear()
    assert tasks.send_weekly_digests(old.pk) == 0
    assert smtp_server.messages == []


# --- the settings screen -----------------------------------------------------------------------


def test_the_user_switches_the_digest_on_and_off_in_the_portal():
    user = UserFactory(username="inst", email="i@groningen.nl", roles={GRONINGEN: [Role.ELIP_SIGNALS]})
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("elip:digest_settings")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "i@groningen.nl" in html and "u ontvangt geen wekelijkse samenvatting" in html
    assert "voor Groningen." in html
    assert client.post(url, {"digest": "aan"}).status_code == 403  # no CSRF token: refused
    assert not DigestSubscription.objects.exists()

    token = client.cookies["csrftoken"].value
    response = client.post(url, {"digest": "aan", "csrfmiddlewaretoken": token}, follow=True)
    assert "U ontvangt voortaan na elke wekelijkse ELIP-run een samenvatting per e-mail." in response.content.decode()
    row = DigestSubscription.objects.get(user=user)
    assert row.active and row.changed_via == DigestChannel.PORTAL
    client.post(url, {"digest": "uit", "csrfmiddlewaretoken": token})
    assert not DigestSubscription.objects.get(user=user).active


@pytest.mark.parametrize("value", ["", "ja", "aan\x00", "x" * 5000])
def test_bad_input_on_the_settings_screen_is_a_dutch_error(client, value):
    user = UserFactory(username="fout", email="f@groningen.nl", roles={GRONINGEN: [Role.ELIP_SIGNALS]})
    client.force_login(user)
    response = client.post(reverse("elip:digest_settings"), {"digest": value})
    assert response.status_code == 400
    assert "Kies of u de wekelijkse samenvatting wilt ontvangen." in response.content.decode()
    assert not DigestSubscription.objects.exists()


def test_the_settings_screen_says_when_no_mail_can_come(client):
    user = UserFactory(username="leeg", email="", roles={GRONINGEN: [Role.VIEW_2013]})
    client.force_login(user)
    html = client.get(reverse("elip:digest_settings")).content.decode()
    assert "Uw account heeft geen e-mailadres." in html and "U hebt geen accountrol voor ELIP" in html


def test_the_start_screen_links_to_the_setting(client):
    client.force_login(UserFactory(username="start", roles={GRONINGEN: [Role.ELIP_SIGNALS]}))
    assert reverse("elip:digest_settings") in client.get("/").content.decode()


def test_the_settings_screen_needs_a_login(client):
    response = client.get(reverse("elip:digest_settings"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the opt-out link --------------------------------------------------------------------------


def test_the_optout_link_asks_first_and_a_post_switches_the_digest_off_without_login(world):
    url = reverse("elip:digest_optout", kwargs={"token": optout_token(world)})
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and "Klik op 'Afmelden'" in page.content.decode()
    assert DigestSubscription.objects.get(user=world).active  # a GET (a mail scanner) changes nothing
    done = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert done.status_code == 200 and "U bent afgemeld." in done.content.decode()
    row = DigestSubscription.objects.get(user=world)
    assert not row.active and row.changed_via == DigestChannel.OPT_OUT_LINK
    assert "al niet meer" in client.get(url).content.decode()


def test_a_mail_clients_one_click_post_switches_it_off(world):
    url = reverse("elip:digest_optout", kwargs={"token": optout_token(world)})
    response = Client(enforce_csrf_checks=True).post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    assert not DigestSubscription.objects.get(user=world).active


@pytest.mark.parametrize("token", ["onbekend", "1:abc", "MQ:1tK0aa:forged-signature-xxxxxxxxxxxxxxxxxxx"])
def test_a_forged_or_broken_optout_token_changes_nothing(world, token):
    for method in ("get", "post"):
        response = getattr(Client(), method)(reverse("elip:digest_optout", kwargs={"token": token}))
        assert response.status_code == 400 and "Deze afmeldlink is ongeldig." in response.content.decode()
    assert DigestSubscription.objects.get(user=world).active


def test_a_token_signed_for_something_else_is_refused(world):
    from django.core import signing

    other = signing.dumps(world.pk, salt="iets-anders")
    response = Client().post(reverse("elip:digest_optout", kwargs={"token": other}))
    assert response.status_code == 400
    assert DigestSubscription.objects.get(user=world).active
