"""Instellingen "Wekelijkse samenvatting per e-mail" and the opt-out link in every digest mail
(docs/digest.md).

* ``digest_settings``: any signed-in user switches the digest on or off for themselves (POST,
  CSRF). It says to which address the mail goes and for which municipalities, or why none would
  come (no e-mail address, no ELIP role).
* ``digest_optout``: the link in the mail, without login. GET shows a confirmation page and changes
  nothing (a mail scanner that follows links does not opt anyone out); the POST of its button, or
  a mail client's one-click POST (RFC 8058, ``List-Unsubscribe-Post``), switches the digest off.
  The signed token is the authorisation, not a session, so the POST needs no CSRF token (a
  client's one-click POST has none); a forged or broken token answers 400 and changes nothing.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pib.access import login_required_portal
from pib.models import Municipality

from ..constants import DigestChannel
from ..forms import DigestSettingsForm
from ..selectors import DIGEST_ROLES
from ..services.digest import digest_subscription_set, is_subscribed, optout_user


@never_cache
@require_http_methods(["GET", "POST"])
@login_required_portal
def digest_settings(request):
    user = request.user
    subscribed = is_subscribed(user)
    form = DigestSettingsForm(
        request.POST if request.method == "POST" else None, initial={"digest": "aan" if subscribed else "uit"}
    )
    if request.method == "POST" and form.is_valid():
        active = form.cleaned_data["digest"] == "aan"
        digest_subscription_set(user=user, active=active, via=DigestChannel.PORTAL)
        if active:
            messages.success(request, "U ontvangt voortaan na elke wekelijkse ELIP-run een samenvatting per e-mail.")
        else:
            messages.success(request, "U ontvangt de wekelijkse samenvatting niet meer.")
        return redirect("elip:digest_settings")
    municipalities = (
        Municipality.objects.filter(authorisation__user=user, authorisation__role__in=DIGEST_ROLES)
        .distinct()
        .order_by("name")
    )
    context = {"form": form, "subscribed": subscribed, "municipalities": list(municipalities)}
    return render(request, "elip/digest_settings.html", context, status=400 if form.errors else 200)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_optout(request, token):
    user = optout_user(token)
    if user is None:
        return render(request, "elip/digest_optout.html", {"invalid": True}, status=400)
    if request.method == "POST":
        digest_subscription_set(user=user, active=False, via=DigestChannel.OPT_OUT_LINK)
        return render(request, "elip/digest_optout.html", {"done": True})
    return render(request, "elip/digest_optout.html", {"subscribed": is_subscribed(user)})
