"""Writes of the municipal Mijn DUO-beheerder (manual ch. 2, "Accountrollen" and the Mijn DUO steps).

Guarantees, each enforced here (views only call these functions):

* Only a user holding the role "Mijn DUO-beheerder" for municipality M acts for M, and only on M:
  the roles granted or removed are always M's (``Authorisation.municipality = M``); another
  municipality's roles of the same colleague are never read or changed.
* No escalation: a beheerder never changes its own account or roles, never grants or removes the
  beheerder role (DUO appoints beheerders), and never touches a DUO account (staff/superuser).
  A colleague is managed by M only while it holds a role for M or was created for M.
* Every account created, role granted or removed, activation code sent and activation writes
  one ``AccountChange`` row (who, what, when) in the same transaction; a grant or removal also
  writes DUO's ``pib.models.RoleChange`` through ``pib.audit`` (as Django admin does).
* An activation code is random (16 characters, ~78 bits), e-mailed through Django's e-mail
  backend (SMTP in production), stored only as a keyed hash, valid 24 hours, single use, and
  revoked after 5 wrong attempts or when a newer one is sent. It is only sent to an account that
  has not been activated: it can never reset the password of an account in use.
* If the e-mail cannot be sent, nothing is saved (the transaction rolls back).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pib import audit
from pib.constants import Role
from pib.models import Authorisation, Municipality, SsoIdentity

from .constants import (
    ACTIVATION_ALPHABET,
    ACTIVATION_LENGTH,
    ACTIVATION_MAX_ATTEMPTS,
    ACTIVATION_VALID_HOURS,
    GRANTABLE_ROLES,
    AccountAction,
)
from .models import AccountChange, ActivationCode, MunicipalAccount

User = get_user_model()

MSG_NOT_ADMIN = "U bent geen Mijn DUO-beheerder voor deze gemeente."
MSG_SELF = "U kunt uw eigen account en accountrollen niet wijzigen. Vraag een andere Mijn DUO-beheerder of DUO."
MSG_NOT_MANAGED = "Deze gebruiker hoort niet bij uw gemeente."
MSG_ROLE = "Kies alleen accountrollen uit de lijst."
MSG_ACTIVATED = "Dit account is al geactiveerd. Een activatiecode is alleen voor een nieuw account."
MSG_NO_EMAIL = "Dit account heeft geen e-mailadres. Een activatiecode kan niet worden verstuurd."
MSG_USERNAME_TAKEN = "Deze gebruikersnaam bestaat al. Kies een andere gebruikersnaam."
MSG_CODE_INVALID = (
    "De gebruikersnaam of de activatiecode is onjuist, al gebruikt of verlopen. "
    "Vraag uw Mijn DUO-beheerder om een nieuwe activatiecode."
)
MSG_MAIL_FAILED = (
    "De e-mail met de activatiecode kon niet worden verstuurd. Er is niets opgeslagen. Probeer het later opnieuw."
)


class AccountAdminError(Exception):
    """An illegal move; the message is Dutch and says what to do."""


# --- reads ------------------------------------------------------------------------------------


def is_admin_for(user, municipality: Municipality | None) -> bool:
    return bool(
        municipality is not None
        and user.is_authenticated
        and Authorisation.objects.filter(user=user, municipality=municipality, role=Role.MIJN_DUO_ADMIN).exists()
    )


def managed_users(municipality: Municipality) -> QuerySet:
    """The colleagues M's beheerder sees: a role for M or created for M; never DUO accounts."""
    return (
        User.objects.filter(
            Q(authorisations__municipality=municipality) | Q(municipal_account__municipality=municipality)
        )
        .filter(is_staff=False, is_superuser=False)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def roles_in(user, municipality: Municipality) -> set[str]:
    return set(Authorisation.objects.filter(user=user, municipality=municipality).values_list("role", flat=True))


def is_activated(user) -> bool:
    """Activated: a password chosen, or a single-sign-on identity linked (``pib.models.SsoIdentity``)."""
    return user.has_usable_password() or SsoIdentity.objects.filter(user=user).exists()


# --- checks -----------------------------------------------------------------------------------


def _check_actor(actor, municipality):
    if not is_admin_for(actor, municipality):
        raise AccountAdminError(MSG_NOT_ADMIN)


def _check_target(actor, municipality, user):
    _check_actor(actor, municipality)
    if user.pk == actor.pk:
        raise AccountAdminError(MSG_SELF)
    if not managed_users(municipality).filter(pk=user.pk).exists():
        raise AccountAdminError(MSG_NOT_MANAGED)


def _check_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles))
    if any(role not in GRANTABLE_ROLES for role in roles):
        raise AccountAdminError(MSG_ROLE)
    return roles


def _log(*, actor, user, municipality, action, role=""):
    """The municipality's own log (shown to its beheerder); a grant or removal also goes to DUO's
    one audit of role changes (``pib.audit``, the same rows Django admin writes)."""
    if action in (AccountAction.GRANTED, AccountAction.REMOVED):
        audit.record(
            actor=actor,
            user=user,
            kind="accountrol",
            granted=action == AccountAction.GRANTED,
            what=f"{Role(role).label} – {municipality}",
        )
    return AccountChange.objects.create(
        actor=actor,
        actor_username=actor.get_username(),
        user=user,
        username=user.get_username(),
        municipality=municipality,
        action=action,
        role=role,
    )


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    actor,
    municipality: Municipality,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles,
    login_url: str,
):
    """A new colleague's account for ``municipality`` with ``roles`` (of that municipality), without
    a password; the activation code is e-mailed at once. Returns the new user."""
    _check_actor(actor, municipality)
    roles = _check_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": MSG_USERNAME_TAKEN})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, is_active=True)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    MunicipalAccount.objects.create(user=user, municipality=municipality, created_by=actor)
    _log(actor=actor, user=user, municipality=municipality, action=AccountAction.CREATED)
    for role in roles:
        Authorisation.objects.create(user=user, municipality=municipality, role=role)
        _log(actor=actor, user=user, municipality=municipality, action=AccountAction.GRANTED, role=role)
    _send_code(actor=actor, municipality=municipality, user=user, login_url=login_url)
    return user


@transaction.atomic
def roles_set(*, actor, municipality: Municipality, user, roles) -> tuple[list[str], list[str]]:
    """Make ``user``'s roles for ``municipality`` exactly ``roles`` (the grantable ones; a beheerder
    role the colleague may hold stays as it is). Returns (granted, removed), each logged."""
    _check_target(actor, municipality, user)
    wanted = set(_check_roles(roles))
    # Lock the colleague's rows for this municipality: two beheerders saving at once cannot interleave.
    current = set(
        Authorisation.objects.select_for_update()
        .filter(user=user, municipality=municipality, role__in=GRANTABLE_ROLES)
        .values_list("role", flat=True)
    )
    granted = [r for r in GRANTABLE_ROLES if r in wanted - current]
    removed = [r for r in GRANTABLE_ROLES if r in current - wanted]
    for role in granted:
        Authorisation.objects.create(user=user, municipality=municipality, role=role)
        _log(actor=actor, user=user, municipality=municipality, action=AccountAction.GRANTED, role=role)
    if removed:
        Authorisation.objects.filter(user=user, municipality=municipality, role__in=removed).delete()
        for role in removed:
            _log(actor=actor, user=user, municipality=municipality, action=AccountAction.REMOVED, role=role)
    return granted, removed


@transaction.atomic
def activation_code_send(*, actor, municipality: Municipality, user, login_url: str) -> ActivationCode:
    """A new activation code for a colleague whose account is not activated yet (revokes older ones)."""
    _check_target(actor, municipality, user)
    return _send_code(actor=actor, municipality=municipality, user=user, login_url=login_url)


def _code_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return salted_hmac("mijnduo.activation-code", normalised, algorithm="sha256").hexdigest()


def _format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _send_code(*, actor, municipality, user, login_url) -> ActivationCode:
    if is_activated(user):
        raise AccountAdminError(MSG_ACTIVATED)
    if not user.email:
        raise AccountAdminError(MSG_NO_EMAIL)
    now = timezone.now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_LENGTH))
    expires = now + dt.timedelta(hours=ACTIVATION_VALID_HOURS)
    row = ActivationCode.objects.create(
        user=user, municipality=municipality, code_hash=_code_hash(code), sent_by=actor, expires_at=expires
    )
    _log(actor=actor, user=user, municipality=municipality, action=AccountAction.CODE_SENT)
    valid_until = timezone.localtime(expires)
    body = (
        f"Beste {user.get_full_name() or user.get_username()},\n\n"
        f"De Mijn DUO-beheerder van de gemeente {municipality.name} heeft een account voor u aangemaakt "
        "in de Portal Inburgering.\n\n"
        f"Uw gebruikersnaam: {user.get_username()}\n"
        f"Uw activatiecode: {_format_code(code)}\n\n"
        f"De activatiecode is 24 uur geldig, tot {valid_until:%d-%m-%Y %H:%M} uur, en werkt één keer.\n"
        f"Activeer uw account op {login_url}: vul uw gebruikersnaam en de activatiecode in en kies een wachtwoord.\n\n"
        "Is de code verlopen? Vraag dan uw Mijn DUO-beheerder om een nieuwe activatiecode.\n"
        "Hebt u dit account niet aangevraagd? Neem dan contact op met uw Mijn DUO-beheerder.\n\n"
        "Dit bericht is automatisch aangemaakt.\n"
    )
    try:
        send_mail(
            subject="Uw activatiecode voor de Portal Inburgering",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
            fail_silently=False,
        )
    except OSError as error:  # smtplib.SMTPException is an OSError; so are refused connections
        raise AccountAdminError(MSG_MAIL_FAILED) from error
    return row


def account_activate(*, username: str, code: str, password: str):
    """First login of a new colleague: the activation code proves the e-mail address; the colleague
    chooses a password (the project's password rules). Returns the activated user.

    Wrong, used, revoked or expired codes all give the same message (no hint which part was wrong,
    nor whether the username exists); 5 wrong codes revoke the user's open code. A password that
    the rules refuse raises ``ValidationError`` and uses nothing up."""
    with transaction.atomic():
        match = _checked_code(username, code)
        if match is not None:
            user = match.user
            password_validation.validate_password(password, user)
            user.set_password(password)
            user.save(update_fields=["password"])
            _use_code(match, user)
            return user
    raise AccountAdminError(MSG_CODE_INVALID)


def activation_check(*, username: str, code: str) -> ActivationCode:
    """The first step of activating through "Inloggen via uw organisatie": the username and code are
    right (same rules and message as ``account_activate``, a wrong try counts), but nothing is used up
    yet — that happens in ``activation_complete_sso`` once the identity is linked."""
    with transaction.atomic():
        match = _checked_code(username, code)
        if match is not None:
            return match
    raise AccountAdminError(MSG_CODE_INVALID)


@transaction.atomic
def activation_complete_sso(*, user, code_id: int) -> ActivationCode:
    """The identity was linked (``accounts.oidc`` at the callback): use the code up and log it."""
    match = (
        ActivationCode.objects.select_for_update()
        .filter(pk=code_id, user=user, used_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if match is None or not SsoIdentity.objects.filter(user=user).exists():
        raise AccountAdminError(MSG_CODE_INVALID)
    _use_code(match, user)  # the link itself (when, which identity) is the SsoIdentity row
    return match


def _checked_code(username: str, code: str) -> ActivationCode | None:
    """The user's open, unexpired code matching ``code`` (locked), if the account is not activated;
    else None, after counting the wrong try on the user's open codes (5 revoke them)."""
    now = timezone.now()
    user = User.objects.filter(username=username, is_active=True).first()
    open_codes = (
        ActivationCode.objects.select_for_update().filter(user=user, used_at__isnull=True, revoked_at__isnull=True)
        if user is not None
        else ActivationCode.objects.none()
    )
    match = open_codes.select_related("user", "municipality").filter(code_hash=_code_hash(code), expires_at__gt=now)
    match = match.first()
    if match is not None and not is_activated(user):
        return match
    # A wrong attempt is recorded (committed: the callers raise after their atomic block).
    for row in open_codes:
        row.failed_attempts += 1
        if row.failed_attempts >= ACTIVATION_MAX_ATTEMPTS:
            row.revoked_at = now
        row.save(update_fields=["failed_attempts", "revoked_at"])
    return None


def _use_code(match: ActivationCode, user) -> None:
    now = timezone.now()
    match.used_at = now
    match.save(update_fields=["used_at"])
    MunicipalAccount.objects.filter(user=user).update(activated_at=now)
    _log(actor=user, user=user, municipality=match.municipality, action=AccountAction.ACTIVATED)
