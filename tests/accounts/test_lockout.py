"""Lockout after 5 failed sign-ins per account and per IP (django-axes), exact under parallel guesses."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client

from accounts.lockout import LOCKOUT_MESSAGE
from pib.duo_groups import ACCOUNTS
from tests.accounts.conftest import PASSWORD, password_step
from tests.pib.factories import UserFactory


def page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_five_failures_lock_the_account_also_for_the_right_password(anna):
    client = Client()
    for _ in range(4):
        response = password_step(client, "anna", "onjuist-wachtwoord")
        assert response.status_code == 200 and "gebruikersnaam of wachtwoord is onjuist" in page(response)
    fifth = password_step(client, "anna", "onjuist-wachtwoord")
    assert fifth.status_code == 429 and LOCKOUT_MESSAGE in page(fifth)
    right = password_step(Client(REMOTE_ADDR="192.0.2.50"), "anna", PASSWORD)  # other IP, right password
    assert right.status_code == 429 and LOCKOUT_MESSAGE in page(right)
    assert "_auth_user_id" not in Client().session


@pytest.mark.django_db
def test_the_lockout_page_is_the_same_for_an_unknown_account(anna):
    pages = {}
    for n, username in enumerate(["anna", "bestaat-niet"]):
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        for _ in range(5):
            response = password_step(client, username, "onjuist-wachtwoord")
        assert response.status_code == 429
        pages[username] = page(response).split('name="csrfmiddlewaretoken"')[0]
    assert pages["anna"] == pages["bestaat-niet"]


@pytest.mark.django_db
def test_five_failures_from_one_ip_lock_that_ip_for_every_account(anna):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(5):
        password_step(client, f"gok{n}", "onjuist-wachtwoord")
    response = password_step(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert password_step(Client(REMOTE_ADDR="198.51.100.8"), "anna", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_duo_admin_lifts_the_lockout_in_beheer(anna):
    """DUO accountbeheer (not a superuser: least privilege) deletes the attempt in /beheer/."""
    for _ in range(5):
        password_step(Client(), "anna", "onjuist-wachtwoord")
    assert password_step(Client(), "anna", PASSWORD).status_code == 429
    admin = UserFactory(username="duo-accounts", is_staff=True)
    admin.groups.add(Group.objects.get(name=ACCOUNTS))
    beheer = Client(REMOTE_ADDR="192.0.2.99")
    beheer.force_login(admin)
    listing = beheer.get("/beheer/axes/accessattempt/")
    assert listing.status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = beheer.post(
        "/beheer/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    response = password_step(Client(), "anna", PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/tweede-stap/")


@pytest.mark.django_db
def test_a_right_password_forgets_earlier_typos_of_that_account_only(anna):
    client = Client()
    password_step(client, "anna", "typfout-wachtwoord")
    password_step(client, "bob", "typfout-wachtwoord")
    assert password_step(client, "anna", PASSWORD).status_code == 302
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["one account", "one IP, many accounts"])
def test_brute_force_100_parallel_guesses_evaluates_at_most_5(target, monkeypatch, capsys):
    UserFactory(username="anna")
    evaluated = []
    lock = threading.Lock()
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            evaluated.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)

    def guess(n):
        try:
            username = "anna" if target == "one account" else f"gebruiker{n}"
            # one account: guesses come from 100 different IPs (the per-account limit must hold alone)
            address = f"10.0.{n // 250}.{n % 250 + 1}" if target == "one account" else "10.9.9.9"
            response = password_step(Client(REMOTE_ADDR=address), username, f"gok-{n:04d}-wachtwoord")
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(100)))
    with capsys.disabled():
        print(f"\n[brute force, {target}] 100 parallel guesses (8 threads): {len(evaluated)} evaluated, "
              f"{statuses.count(429)} refused with the lockout page")  # fmt: skip
    assert len(evaluated) <= 5
    assert statuses.count(429) >= 95
    assert statuses.count(200) + statuses.count(429) == 100  # the password page or the lockout page
