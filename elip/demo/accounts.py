"""Demo accounts and enrolments: one user per role mix, one regional user with several
municipalities, a DUO admin; a few municipalities enrolled for ELIP letters."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from elip.constants import EnrolmentAction, EnrolmentStatus
from elip.models import ElipEnrolment, ElipEnrolmentChange
from pib.constants import Role
from pib.duo_groups import ACCOUNTS, FUNCTIONAL, sync_groups
from pib.formatting import normalize_phone
from pib.models import Authorisation, Municipality

DEMO_PASSWORD = "Inburgering-Demo-2025"  # noqa: S105 - demo data only; printed by `make demo`
ELIP = [Role.ELIP_PERSONS, Role.ELIP_LETTER, Role.ELIP_SIGNALS]

# username, full name, {municipality code: roles}, what it shows
USERS = [
    ("groningen", "Greetje Groningen", {"GM0014": ELIP + [Role.VIEW_2013]}, "alle ELIP-rollen, Groningen"),
    ("amsterdam", "Ahmed Amsterdam", {"GM0363": ELIP}, "alle ELIP-rollen, Amsterdam"),
    ("personen", "Petra Personen", {"GM0014": [Role.ELIP_PERSONS]}, "alleen Raadplegen ELIP personen"),
    ("brief", "Bram Brief", {"GM0014": [Role.ELIP_LETTER]}, "alleen Beheren ELIP brief"),
    ("signalen", "Sanne Signalen", {"GM0014": [Role.ELIP_SIGNALS]}, "alleen Raadplegen en muteren ELIP signalen"),
    (
        "regio",
        "Rik Regio",
        {"GM0014": ELIP, "GM1952": ELIP, "GM1969": ELIP, "GM1966": ELIP},
        "regionale dienst: Groningen, Midden-Groningen, Westerkwartier, Het Hogeland",
    ),
    ("geenrol", "Gijs Geenrol", {}, "geen accountrollen"),
]
# DUO admins are not superusers (operators only): each gets one least-privilege group.
ADMINS = [
    ("duo-beheer", "DUO Beheerder", FUNCTIONAL, "DUO functioneel beheer: register en beleid (Django admin, /beheer/)"),
    ("duo-accounts", "DUO Accountbeheer", ACCOUNTS, "DUO accountbeheer: gebruikers en accountrollen (/beheer/)"),
]

ENROLMENTS = {
    "GM0014": ("0501234567", "elip@groningen.nl", "www.gemeente.groningen.nl/elip", "Greetje Groningen"),
    "GM0363": ("0202512345", "inburgering@amsterdam.nl", "www.amsterdam.nl/inburgeren", "Ahmed Amsterdam"),
    "GM0599": ("0102671234", "", "", "Team Inburgering Rotterdam"),
    "GM0344": ("", "elip@utrecht.nl", "", "Loket Inburgering Utrecht"),
    "GM0796": ("0736155555", "elip@s-hertogenbosch.nl", "", "Team Inburgering"),
    # two more municipalities of the regional account `regio`, so its Werkvoorraad regio has rows of several
    "GM1969": ("0594508888", "inburgering@westerkwartier.nl", "", "Team Inburgering Westerkwartier"),
    "GM1966": ("0595447711", "inburgering@hethogeland.nl", "", "Team Inburgering Het Hogeland"),
}
WITHDRAWN = {"GM1952": ("0598373737", "", "", "Team Inburgering Midden-Groningen")}


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str]]:
    User = get_user_model()
    rows = []
    for username, full_name, roles, description in USERS:
        first, last = full_name.split(" ", 1)
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(DEMO_PASSWORD)
        user.save()
        for code, role_list in roles.items():
            municipality = Municipality.objects.get(code=code)
            for role in role_list:
                Authorisation.objects.get_or_create(user=user, municipality=municipality, role=role)
        rows.append((username, description))
    sync_groups()  # a flushed test database has lost what the data migration made
    for admin_name, admin_full, group_name, admin_description in ADMINS:
        first, last = admin_full.split(" ", 1)
        admin, _ = User.objects.get_or_create(username=admin_name, defaults={"first_name": first, "last_name": last})
        admin.is_staff, admin.is_superuser = True, False
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        admin.groups.set([Group.objects.get(name=group_name)])
        rows.append((admin_name, admin_description))
    return rows


@transaction.atomic
def create_demo_enrolments() -> None:
    """Enrolled and withdrawn municipalities for the demo (as if staff had used 'Meld aan')."""
    now = timezone.now()
    for table, withdrawn in ((ENROLMENTS, False), (WITHDRAWN, True)):
        for code, (phone, email, web, contact) in table.items():
            municipality = Municipality.objects.get(code=code)
            if ElipEnrolment.objects.filter(municipality=municipality).exists():
                continue
            enrolment = ElipEnrolment.objects.create(
                municipality=municipality,
                letter_phone=normalize_phone(phone) or "",  # stored in E.164, as the enrolment form does
                letter_email=email,
                letter_website=web,
                contact_name=contact,
                contact_phone=normalize_phone(phone or "0501234567"),
                contact_email=email or f"inburgering@{code.lower()}.example.nl",
                enrolled_at=now,
            )
            ElipEnrolmentChange.objects.create(enrolment=enrolment, action=EnrolmentAction.ENROL, changes={})
            if withdrawn:
                enrolment.status = EnrolmentStatus.WITHDRAWN
                enrolment.withdrawn_at = now
                enrolment.save()
                ElipEnrolmentChange.objects.create(enrolment=enrolment, action=EnrolmentAction.WITHDRAW, changes={})
