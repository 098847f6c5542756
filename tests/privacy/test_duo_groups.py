"""Least privilege for DUO (issue 11): the two groups shipped by the data migration, no escalation
through "change user", role changes recorded, registry history, the read log append-only in
PostgreSQL. The permission table of each group is printed (``-s``) for the closing note."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from pib.constants import Role
from pib.duo_groups import ACCOUNTS, FUNCTIONAL, GROUPS, permission_codenames
from pib.models import Authorisation, Person, ReadLogEntry, RoleChange
from pib.readlog import readlog_apply_retention
from signals.models import Signal
from tests.pib.factories import PersonFactory, UserFactory, municipality
from tests.signals.factories import SignalFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Sterk-wachtwoord-2025!"


def staff(django_user_model, username, group=None, perms=()):
    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


def test_groups_ship_with_exactly_their_permissions():
    for name in GROUPS:
        group = Group.objects.get(name=name)
        have = sorted(group.permissions.values_list("content_type__app_label", "codename"))
        assert have == sorted(permission_codenames(name)), name
        print(f"\n{name}:")
        for label, actions in GROUPS[name].items():
            print(f"  {label:32} {', '.join(actions)}")


def test_functional_group_deletes_no_signal_person_letter_or_readlog_and_manages_no_accounts():
    perms = {f"{a}.{c}" for a, c in permission_codenames(FUNCTIONAL)}
    for forbidden in (
        "signals.delete_signal",
        "pib.delete_person",
        "letters.delete_letter",
        "pib.delete_readlogentry",
        "pib.change_readlogentry",
        "auth.change_user",
        "auth.add_user",
        "auth.change_group",
        "auth.change_permission",
        "pib.add_authorisation",
        "pib.change_authorisation",
    ):
        assert forbidden not in perms, forbidden
    accounts = {f"{a}.{c}" for a, c in permission_codenames(ACCOUNTS)}
    assert {p.split(".")[0] for p in accounts} <= {"auth", "pib", "axes", "otp_totp", "otp_static"}
    assert not any(p.endswith(("_person", "_signal", "_letter", "_group", "_permission")) for p in accounts)


def test_demo_duo_admin_is_not_a_superuser_and_cannot_delete_signals_or_persons(client, django_user_model):
    from elip.demo.accounts import create_demo_accounts

    create_demo_accounts()
    duo = django_user_model.objects.get(username="duo-beheer")
    assert not duo.is_superuser
    person = PersonFactory(municipality=municipality("GM0363"))
    signal = SignalFactory(person=person, municipality=person.municipality)
    client.force_login(duo)
    assert client.get(reverse("admin:pib_person_delete", args=[person.pk])).status_code == 403
    client.post(
        reverse("admin:signals_signal_changelist"),
        {"action": "delete_selected", "_selected_action": [signal.pk], "post": "yes"},
    )
    assert Signal.objects.filter(pk=signal.pk).exists() and Person.objects.filter(pk=person.pk).exists()
    # no user management: cannot grant itself a municipal role
    assert client.get(reverse("admin:pib_authorisation_add")).status_code == 403
    assert client.get(reverse("admin:auth_user_change", args=[duo.pk])).status_code == 403
    assert client.get(reverse("admin:pib_person_changelist")).status_code == 200


def _user_form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2025-01-01",
        "initial-date_joined_1": "00:00:00",
        "groups": [str(g.pk) for g in user.groups.all()],
        "user_permissions": [str(p.pk) for p in user.user_permissions.all()],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_change_user_cannot_make_itself_superuser_or_grant_what_it_lacks(client, django_user_model):
    """The reproduction: a staff account with only "change user" made itself superuser."""
    editor = staff(django_user_model, "wijziger", perms=["auth.change_user", "auth.view_user"])
    client.force_login(editor)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    delete_signal = Permission.objects.get(codename="delete_signal")
    functional = Group.objects.get(name=FUNCTIONAL)
    response = client.post(
        url,
        _user_form(editor, is_superuser="on", user_permissions=[str(delete_signal.pk)], groups=[str(functional.pk)]),
    )
    assert response.status_code == 200  # the form refuses the permission and the group it lacks
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert not editor.has_perm("signals.delete_signal")
    assert not editor.groups.exists()
    # the field is not even offered, and a post of it alone does nothing
    client.post(url, _user_form(editor, is_superuser="on"))
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_account_manager_cannot_take_over_a_stronger_account(client, django_user_model):
    manager = staff(django_user_model, "accounts", group=ACCOUNTS)
    functional = staff(django_user_model, "functioneel", group=FUNCTIONAL)
    root = django_user_model.objects.create_superuser("operator", password=PASSWORD)
    client.force_login(manager)
    for target in (functional, root):
        change = client.post(reverse("admin:auth_user_change", args=[target.pk]), _user_form(target, is_active=""))
        assert change.status_code == 403  # view only
        target.refresh_from_db()
        assert target.is_active
        response = client.post(
            reverse("admin:auth_user_password_change", args=[target.pk]),
            {"password1": "Overgenomen-2025!x", "password2": "Overgenomen-2025!x"},
        )
        assert response.status_code == 403
    municipal = UserFactory(username="gemeente-medewerker")
    assert client.get(reverse("admin:auth_user_change", args=[municipal.pk])).status_code == 200


def test_granting_and_removing_a_role_is_recorded_and_visible_in_admin(client, django_user_model):
    manager = staff(django_user_model, "accounts", group=ACCOUNTS)
    target = UserFactory(username="nieuw")
    amsterdam = municipality("GM0363")
    client.force_login(manager)
    response = client.post(
        reverse("admin:pib_authorisation_add"),
        {"user": target.pk, "municipality": amsterdam.pk, "role": Role.ELIP_PERSONS},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    authorisation = Authorisation.objects.get(user=target)
    client.post(reverse("admin:pib_authorisation_delete", args=[authorisation.pk]), {"post": "yes"})
    assert not Authorisation.objects.filter(user=target).exists()
    rows = list(RoleChange.objects.order_by("pk").values_list("actor__username", "user__username", "action", "what"))
    assert rows == [
        ("accounts", "nieuw", "toegekend", f"{Role(Role.ELIP_PERSONS).label} – {amsterdam}"),
        ("accounts", "nieuw", "ingetrokken", f"{Role(Role.ELIP_PERSONS).label} – {amsterdam}"),
    ]
    page = client.get(reverse("admin:pib_rolechange_changelist"))
    assert page.status_code == 200 and "ingetrokken" in page.content.decode().lower()


def test_operator_granting_a_group_is_recorded(client, django_user_model):
    root = django_user_model.objects.create_superuser("operator", password=PASSWORD)
    target = staff(django_user_model, "medewerker")
    client.force_login(root)
    functional = Group.objects.get(name=FUNCTIONAL)
    response = client.post(
        reverse("admin:auth_user_change", args=[target.pk]), _user_form(target, groups=[str(functional.pk)])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoleChange.objects.filter(user=target, kind="groep", action="toegekend", what=FUNCTIONAL).exists()


def test_registry_history_records_admin_changes_and_is_visible(client, django_user_model):
    root = django_user_model.objects.create_superuser("operator", password=PASSWORD)
    person = PersonFactory(municipality=municipality("GM0363"), last_name="Voor")
    client.force_login(root)
    person.last_name = "Na"
    person.save()
    assert [h.last_name for h in person.history.order_by("history_date")][-1] == "Na"
    page = client.get(reverse("admin:pib_person_history", args=[person.pk]))
    assert page.status_code == 200
    assert ReadLogEntry.objects.filter(person=person, screen__startswith="beheer: geschiedenis").exists()
    for model in ("loan", "invoice", "contract", "termextension", "exam", "examattempt"):
        assert reverse(f"admin:pib_{model}_history", args=[1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_read_log_refuses_update_and_delete_in_postgresql(django_user_model):
    user = UserFactory()
    person = PersonFactory(municipality=municipality("GM0363"))
    entry = ReadLogEntry.objects.create(user=user, screen="test", person=person)
    for attempt in (
        lambda: ReadLogEntry.objects.filter(pk=entry.pk).update(screen="weg"),
        lambda: ReadLogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: connection.cursor().execute("DELETE FROM pib_readlogentry"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    # erasing a person from the registry still works: only person_id becomes NULL
    person.delete()
    entry.refresh_from_db()
    assert entry.person_id is None and entry.screen == "test"
    # retention: only rows past two years leave, only through the retention function
    with connection.cursor() as cursor:  # a row from 2020 (auto_now_add would stamp it today)
        cursor.execute(
            "INSERT INTO pib_readlogentry (at, user_id, role, screen, bsn_hash, bsn_key_id, result)"
            " VALUES (%s, %s, '', 'oud', '', '', 'getoond') RETURNING id",
            [dt.datetime(2020, 1, 1, tzinfo=dt.UTC), user.pk],
        )
        old = ReadLogEntry.objects.get(pk=cursor.fetchone()[0])
    with pytest.raises(DatabaseError), transaction.atomic():
        ReadLogEntry.objects.filter(pk=old.pk).delete()
    assert readlog_apply_retention() == 1
    assert not ReadLogEntry.objects.filter(pk=old.pk).exists()
    assert ReadLogEntry.objects.filter(pk=entry.pk).exists()
