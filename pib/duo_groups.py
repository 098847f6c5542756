"""The two DUO admin groups (least privilege), shipped by a data migration and kept in step by
``sync_groups``. Superuser status is for operators only; DUO staff get one of these groups.

* "DUO functioneel beheer": the registry and the ELIP policy — view, add and change (and approve a
  criteria version another admin drafted: four eyes); delete only
  registry detail rows (loans, requests, exams, attempts, enrolments, contracts, invoices,
  institutions, recorded losses of an institution's quality mark). No delete of persons, signals,
  letters or the read log; no users, groups, permissions or account roles.
  The control room (controlroom app): open it, acknowledge alerts, re-render failed letters and
  rebuild bundles (every action audited).
* "DUO accountbeheer": users and their account roles (accountrollen, per municipality), the
  record of role changes, lifting a sign-in lockout (deleting django-axes attempts) and resetting
  a second factor (deleting django-otp devices) — nothing else; no groups or permissions, no
  person data.

Guarantee: ``GROUPS`` is the whole truth — ``sync_groups`` sets exactly these permissions
(removing any added by hand) and tests/privacy/test_duo_groups.py prints and checks the table.
"""

FUNCTIONAL = "DUO functioneel beheer"
ACCOUNTS = "DUO accountbeheer"

V, VA, VAC, VACD = ("view",), ("view", "add"), ("view", "add", "change"), ("view", "add", "change", "delete")

GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    FUNCTIONAL: {
        # registry
        "pib.municipality": VAC,
        "pib.institution": VACD,
        "pib.qualitymarkloss": VACD,
        "pib.person": VAC,
        "pib.termextension": VAC,
        "pib.loan": VACD,
        "pib.loanrequest": VACD,
        "pib.exam": VACD,
        "pib.examattempt": VACD,
        "pib.enrolment": VACD,
        "pib.contract": VACD,
        "pib.invoice": VACD,
        # registry history (django-simple-history), read only
        "pib.historicalperson": V,
        "pib.historicaltermextension": V,
        "pib.historicalloan": V,
        "pib.historicalexam": V,
        "pib.historicalexamattempt": V,
        "pib.historicalcontract": V,
        "pib.historicalinvoice": V,
        "pib.historicalqualitymarkloss": V,
        # ELIP policy and the run's output
        # drafting (view/add/change) and approving a draft of another admin (four eyes, elip.services.policy)
        "elip.policyversion": (*VAC, "approve"),
        "elip.policyversionevent": V,
        "elip.selectionrun": V,
        "elip.runmunicipality": V,
        "elip.elipenrolment": V,
        "elip.elipenrolmentchange": V,
        # signals and letters: read only (no delete)
        "signals.signal": V,
        "signals.signalstatuschange": V,
        "signals.personcontact": V,
        "letters.letter": V,
        "letters.letterbundle": V,
        # the read log: read only
        "pib.readlogentry": V,
        # the control room (/beheer/controlekamer/): view = open it, change alert = acknowledge,
        # add control action = re-render failed letters / rebuild a bundle (audited)
        "controlroom.alert": ("view", "change"),
        "controlroom.controlaction": VA,
    },
    ACCOUNTS: {
        "auth.user": VAC,
        "pib.authorisation": VACD,
        "pib.rolechange": V,
        # sign-in: lift a lockout, reset a second factor (the user enrols again)
        "axes.accessattempt": ("view", "delete"),
        "otp_totp.totpdevice": ("view", "delete"),
        "otp_static.staticdevice": ("view", "delete"),
    },
}


def permission_codenames(group: str) -> list[tuple[str, str]]:
    """``(app_label, codename)`` of every permission of ``group``."""
    rows = []
    for label, actions in GROUPS[group].items():
        app_label, model = label.split(".")
        rows += [(app_label, f"{action}_{model}") for action in actions]
    return rows


def sync_groups(apps=None) -> None:
    """Create or update both groups with exactly their permissions (idempotent). ``apps`` is the
    migration state or, by default, the live app registry; permissions missing from the database
    (a fresh database inside ``migrate``) are created first."""
    from django.apps import apps as live_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or live_apps
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = permission_codenames(name)
        perms = []
        for app_label, codename in wanted:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None and apps is not live_apps:
                # Inside ``migrate`` an app migrated later (axes, otp) has no permissions yet:
                # pib.0010 depends on those apps and syncs again.
                continue
            if permission is None:
                raise Permission.DoesNotExist(f"{app_label}.{codename}")
            perms.append(permission)
        group.permissions.set(perms)
