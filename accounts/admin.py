"""``/beheer/`` signs in through the portal's login (lockout + second factor), never its own form;
only verified users (second factor given) pass ``has_permission``. A DUO admin lifts a lockout by
deleting the attempt (Axes → Toegangspogingen) and resets a user's second factor by deleting the
user's devices (the user then enrols again at the next sign-in)."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pib.admin_base import PrivateSearchMixin

from .oidc import second_factor_done

_has_permission = admin.site.has_permission


def login_via_portal(request, extra_context=None):
    target = request.GET.get("next", "")
    if not target.startswith(reverse("admin:index")):
        target = reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("login"))


def has_permission(request):
    return _has_permission(request) and second_factor_done(request)


admin.site.login = login_via_portal
admin.site.has_permission = has_permission


def _with_private_search(model):
    """Re-register a library's admin (django-otp devices, django-axes attempts) with the portal's
    POSTed search: a search term never lands in a URL or a log line."""
    current = admin.site._registry[model].__class__
    admin.site.unregister(model)
    admin.site.register(model, type(current.__name__, (PrivateSearchMixin, current), {}))


for _model in (TOTPDevice, StaticDevice, AccessAttempt, AccessLog, AccessFailureLog):
    if _model in admin.site._registry:
        _with_private_search(_model)
