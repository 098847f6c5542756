"""Single sign-on by OpenID Connect (mozilla-django-oidc), on when ``OIDC_ENABLED`` is set.

Guarantees, on top of mozilla-django-oidc's code flow (state, nonce, PKCE, signature check):

* the ID token must be for this portal (``aud``), from the configured issuer (``iss``) and not
  expired (``exp``, 60 s leeway); a tampered ``state``, a wrong ``nonce``, an expired or foreign
  token ends on the login page with one Dutch message, never a 500, and signs nobody in;
* the user is found by the identity linked at activation (``pib.models.SsoIdentity``: issuer and
  ``sub``), else (or created, ``OIDC_CREATE_USER``) by the claim ``OIDC_USERNAME_CLAIM``; names and
  e-mail follow the claims at every sign-in;
* linking at activation (``pib.sso_links``): when the colleague came from "Account activeren" with a
  checked activation code, this sign-in links the verified identity to that account first — never
  an identity already linked to another account, never a second identity to one account;
* roles stay managed in the portal (``OIDC_ROLE_MODE=check``): the organisation claim
  (``OIDC_ORGANISATION_CLAIM``, mapped to a municipality code by ``OIDC_ORGANISATION_MAP`` or a
  ``GM....`` code itself) must name a municipality the user holds a role for; with
  ``OIDC_ROLE_MODE=grant`` the roles ``OIDC_GRANT_ROLES`` are granted there;
* a user without any portal role is not signed in: a Dutch explanation, no access;
* the identity provider did the second factor (eHerkenning EH3 / the municipality's MFA): an SSO
  session counts as verified (``second_factor_done``);
* logout also ends the provider session (RP-initiated logout with ``id_token_hint``).
"""

import logging
import re
import time

import jwt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from pib import sso_links
from pib.constants import Role
from pib.models import Authorisation, Municipality, SsoIdentity

log = logging.getLogger(__name__)
BACKEND_PATH = "accounts.oidc.PortalOIDCBackend"
LEEWAY_SECONDS = 60
_MUNICIPALITY_CODE = re.compile(r"GM[0-9]{4}")


def now() -> float:
    return time.time()


def is_sso_session(request) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH


def second_factor_done(request) -> bool:
    """Local accounts: a verified OTP device; SSO: the identity provider's own second factor."""
    return request.user.is_verified() or is_sso_session(request)


def municipality_code_for(organisation: str) -> str | None:
    mapping = settings.OIDC_ORGANISATION_MAP
    if organisation in mapping:
        return mapping[organisation]
    return organisation if _MUNICIPALITY_CODE.fullmatch(organisation or "") else None


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def _verify_jws(self, payload, key):
        """Signature as mozilla-django-oidc checks it, plus audience, issuer and expiry."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected signing algorithm")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from exc
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] + LEEWAY_SECONDS < now():
            raise SuspiciousOperation("ID token expired")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload)
        self.claims = {**payload, **info}
        return info

    def get_username(self, claims):
        return str(claims.get(settings.OIDC_USERNAME_CLAIM, ""))[:150]

    def verify_claims(self, claims):
        return bool(self.get_username(claims))

    def filter_users_by_claims(self, claims):
        linked = self.UserModel.objects.filter(
            sso_identity__issuer=settings.OIDC_OP_ISSUER, sso_identity__subject=str(claims.get("sub", ""))
        )
        if linked.exists():
            return linked
        return self.UserModel.objects.filter(username=self.get_username(claims), sso_identity__isnull=True)

    def link_pending(self, payload) -> SsoIdentity | None | bool:
        """Link this verified identity to the account being activated in this session, if any: the new
        link, None when nothing is pending, False when the link is refused (identity or account
        already linked, account gone)."""
        pending = sso_links.link_take(self.request.session)
        if pending is None:
            return None
        subject = str(payload.get("sub", ""))[:255]
        user = self.UserModel.objects.filter(pk=pending["user"], is_active=True).first()
        taken = SsoIdentity.objects.filter(issuer=settings.OIDC_OP_ISSUER, subject=subject).exists()
        if user is None or not subject or taken or SsoIdentity.objects.filter(user=user).exists():
            log.warning("SSO link at activation refused for user %s", pending["user"])
            self.request.oidc_failure = "koppeling"
            return False
        identity = SsoIdentity.objects.create(user=user, issuer=settings.OIDC_OP_ISSUER, subject=subject)
        sso_links.link_done(self.request.session, pending)
        log.info("SSO identity linked to user %s at activation", user.pk)
        return identity

    def create_user(self, claims):
        user = self.UserModel(username=self.get_username(claims))
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.email = str(claims.get("email", user.email))[:254]
        user.save()
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        with transaction.atomic():
            linked = self.link_pending(payload)
            if linked is False:
                return None
            user = super().get_or_create_user(access_token, id_token, payload)
            if user is None or not self.apply_organisation(user, getattr(self, "claims", payload)):
                if user is not None:
                    self.request.oidc_failure = "organisatie"
                if linked is not None:
                    linked.delete()  # a refused sign-in links nothing
                return None
        if not user.is_staff and not Authorisation.objects.filter(user=user).exists():
            self.request.oidc_failure = "geen_rol"
            return None
        return user

    def apply_organisation(self, user, claims) -> bool:
        """Check or grant roles from the organisation claim; True when sign-in may go on."""
        claim = settings.OIDC_ORGANISATION_CLAIM
        if not claim:
            return True
        code = municipality_code_for(str(claims.get(claim, "")))
        municipality = Municipality.objects.filter(code=code).first() if code else None
        if municipality is None:
            return False
        if settings.OIDC_ROLE_MODE == "grant":
            for role in settings.OIDC_GRANT_ROLES:
                if role in Role.values:
                    Authorisation.objects.get_or_create(user=user, municipality=municipality, role=role)
        return Authorisation.objects.filter(user=user, municipality=municipality).exists()


def provider_logout_url(request) -> str | None:
    """The provider's end-session URL for this SSO session (None for local accounts)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    id_token = request.session.get("oidc_id_token")
    endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT
    if not (is_sso_session(request) and id_token and endpoint):
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}?{query}"
