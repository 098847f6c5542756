"""Sign-in screens: password (with exact lockout), second factor, authenticator enrolment.

Guarantees:

* ``login``: one attempt at a time per username and per IP (``lockout.serialized_attempt``), counted by
  django-axes; the session key changes at sign-in (Django's ``login``). The next stop is always the
  second-factor page: a password alone opens nothing (``SecondFactorRequiredMiddleware``).
* ``second_factor``: a six-digit authenticator code or a single-use backup code; django-otp throttles
  wrong codes per device (growing waits). On success the session key changes again.
* ``enrol_totp``: only for a signed-in user without an authenticator app yet (a password holder
  cannot add a device to an account that has one): QR code as SVG (no inline style), the secret
  for manual entry, confirmation by one code; then ten backup codes are shown once.
* Every redirect target (``next``) stays on this site.
"""

import base64
import logging
from io import BytesIO

import jwt
import qrcode
import qrcode.image.svg
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .forms import TokenForm
from .lockout import client_ip, client_username, serialized_attempt
from .oidc import provider_logout_url
from .services import issue_backup_codes

TOTP_DEVICE_NAME = "Authenticator-app"
log = logging.getLogger(__name__)


def safe_next(request, default="start") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def signed_in(view):
    """Signed in with a password (second factor not needed yet); anonymous users go to the login."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.required_role = None
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = False

    def post(self, request, *args, **kwargs):
        with serialized_attempt(client_username(request), client_ip(request) or ""):
            response = super().post(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED}

    def get_success_url(self):
        return f"{reverse('second_factor')}?{urlencode({'next': super().get_success_url()})}"


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def check_code(user, token):
    """(device, throttled): six digits go to the authenticator app, anything else to the backup codes,
    so a wrong backup code never slows down the app and vice versa."""
    kind = TOTPDevice if len(token) == 6 and token.isdigit() else StaticDevice
    with transaction.atomic():
        devices = [d for d in devices_for_user(user, confirmed=True, for_verify=True) if isinstance(d, kind)]
        if any(not device.verify_is_allowed()[0] for device in devices):
            return None, True
        for device in devices:
            if device.verify_token(token):
                return device, False
    return None, False


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
@signed_in
def second_factor(request):
    """'Tweede stap': the code from the authenticator app or a backup code."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not has_confirmed_device(request.user):
        return redirect(f"{reverse('enrol_totp')}?{urlencode({'next': next_url})}")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device, throttled = check_code(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(next_url)
        if throttled:
            form.add_error("token", "U hebt te vaak een onjuiste code ingevuld. Wacht even en probeer het opnieuw.")
        else:
            form.add_error("token", "Deze code is onjuist of al gebruikt. Probeer het opnieuw.")
    return render(request, "accounts/second_factor.html", {"form": form, "next": next_url})


def qr_svg(url: str) -> str:
    """The provisioning URL as an SVG QR code: one path, no style attributes."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
@signed_in
def enrol_totp(request):
    """'Authenticator-app koppelen': scan the QR code, confirm with one code, receive backup codes."""
    user = request.user
    next_url = safe_next(request)
    has_totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if has_totp or (not user.is_verified() and has_confirmed_device(user)):
        return redirect(f"{reverse('second_factor')}?{urlencode({'next': next_url})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", "U hebt te vaak een onjuiste code ingevuld. Wacht even en probeer het opnieuw.")
        elif device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = issue_backup_codes(user)
            otp_login(request, device)
            request.session.cycle_key()
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
        else:
            form.add_error("token", "Deze code is onjuist. Controleer de tijd op uw telefoon en probeer het opnieuw.")
    secret = device.bin_key
    secret_b32 = base64.b32encode(secret).decode().rstrip("=")
    context = {
        "form": form,
        "next": next_url,
        "qr": qr_svg(device.config_url),
        "secret_groups": [secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4)],
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
    }
    return render(request, "accounts/enrol_totp.html", context)


# --- Single sign-on (OpenID Connect) -------------------------------------------------------------

SSO_MESSAGES = {
    "geen_rol": (
        "U bent ingelogd bij uw organisatie, maar u hebt geen rol in de Portal Inburgering. "
        "Vraag de beheerder Mijn DUO van uw gemeente om u een rol te geven."
    ),
    "organisatie": (
        "Uw organisatie geeft geen toegang tot een gemeente waarvoor u een rol hebt in de Portal Inburgering. "
        "Neem contact op met de beheerder Mijn DUO van uw gemeente."
    ),
    "koppeling": (
        "Deze inlog van uw organisatie kon niet aan uw account worden gekoppeld: hij is al aan een ander "
        "account gekoppeld, of uw account heeft al een gekoppelde inlog. Neem contact op met uw Mijn DUO-beheerder."
    ),
    "mislukt": (
        "Inloggen via uw organisatie is niet gelukt. Probeer het opnieuw. "
        "Lukt het weer niet, neem dan contact op met DUO-beheer."
    ),
}


def sso_failed(request, reason="mislukt"):
    status = 403 if reason in ("geen_rol", "organisatie", "koppeling") else 400
    context = {"sso_message": SSO_MESSAGES.get(reason, SSO_MESSAGES["mislukt"]), "next": "", "oidc_enabled": True}
    return render(request, "registration/login.html", context, status=status)


def _sso_only(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Inloggen via uw organisatie is niet ingesteld.")
        return view(request, *args, **kwargs)

    wrapped.required_role = None
    wrapped.__name__ = view.__name__
    return wrapped


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """mozilla-django-oidc's callback; every failure becomes the Dutch login page (never a 500)."""

    def get(self, request):
        try:
            return super().get(request)
        except (SuspiciousOperation, jwt.InvalidTokenError, requests.RequestException, ValueError, KeyError) as exc:
            log.warning("SSO sign-in refused: %s", type(exc).__name__)
            if request.user.is_authenticated:
                logout(request)
            return sso_failed(request)

    def login_success(self):
        response = super().login_success()
        self.request.session.cycle_key()
        return response

    def login_failure(self):
        return sso_failed(self.request, getattr(self.request, "oidc_failure", "mislukt"))


@_sso_only
@never_cache
@require_http_methods(["GET"])
def sso_start(request):
    """'Inloggen via uw organisatie': to the identity provider (state, nonce and PKCE in the session)."""
    return OIDCAuthenticationRequestView.as_view()(request)


@_sso_only
@never_cache
@require_http_methods(["GET"])
def sso_callback(request):
    return SsoCallbackView.as_view()(request)


@require_http_methods(["POST"])
def logout_view(request):
    """Uitloggen: ends the portal session; after SSO also the provider's session."""
    provider_url = provider_logout_url(request) if settings.OIDC_ENABLED else None
    logout(request)
    if provider_url is None:
        messages.success(request, "U bent uitgelogd.")  # in the messages cookie: the session is gone
        return redirect(settings.LOGOUT_REDIRECT_URL)
    # A page, not a redirect: the CSP's form-action 'self' forbids a form POST ending elsewhere;
    # the refresh (and the link, for browsers that ignore it) go on to the provider's end-session page.
    return render(request, "accounts/logged_out_sso.html", {"provider_url": provider_url})
