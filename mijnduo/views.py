"""Mijn DUO-beheer for a municipality (manual ch. 2): the colleagues, their account roles for the
chosen municipality, activation codes, and the log; plus the public activation page.

Every beheerder screen is ``role_required(Role.MIJN_DUO_ADMIN)`` for the chosen municipality and
acts on that municipality only (``mijnduo.services`` enforces it again). A colleague who is not
managed by this municipality, the beheerder itself, and DUO accounts answer 404 on the edit page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from pib import sso_links
from pib.access import login_required_portal, role_required
from pib.constants import Role
from pib.tables import pager, same_query_page_url, table_configure

from . import services
from .constants import GRANTABLE_ROLES
from .forms import AccountCreateForm, ActivationForm, RolesForm
from .models import AccountChange, ActivationCode, MunicipalAccount
from .tables import AccountChangeTable

ROLE = Role.MIJN_DUO_ADMIN


def _activation_url(request) -> str:
    return request.build_absolute_uri(reverse("mijnduo:activate"))


def _status(user, open_codes) -> str:
    if services.is_activated(user):
        return "Actief" if user.is_active else "Geblokkeerd"
    return "Wacht op activatie" if user.pk in open_codes else "Activatiecode verlopen of niet verstuurd"


@never_cache
@role_required(ROLE)
@require_http_methods(["GET"])
def users(request):
    """Gebruikers van de gemeente: naam, gebruikersnaam, e-mail, accountrollen hier, status."""
    municipality = request.municipality
    rows = list(services.managed_users(municipality).prefetch_related("authorisations"))
    open_codes = set(
        ActivationCode.objects.filter(
            user__in=rows, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("user_id", flat=True)
    )
    labels = dict(Role.choices)
    people = []
    for user in rows:
        roles = sorted(
            (a.role for a in user.authorisations.all() if a.municipality_id == municipality.pk),
            key=lambda r: list(Role.values).index(r),
        )
        people.append(
            {
                "user": user,
                "roles": [labels[r] for r in roles],
                "status": _status(user, open_codes),
                "is_self": user.pk == request.user.pk,
            }
        )
    return render(request, "mijnduo/users.html", {"people": people})


@never_cache
@role_required(ROLE)
@require_http_methods(["GET", "POST"])
def user_create(request):
    """Nieuwe gebruiker: account, accountrollen voor deze gemeente, activatiecode per e-mail."""
    form = AccountCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(
                actor=request.user,
                municipality=request.municipality,
                login_url=_activation_url(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except services.AccountAdminError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Het account '{user.get_username()}' is aangemaakt. De activatiecode is gemaild naar {user.email}; "
                "hij is 24 uur geldig.",
            )
            return redirect("mijnduo:users")
    return render(request, "mijnduo/user_create.html", {"form": form}, status=400 if form.errors else 200)


def _managed_or_404(request, user_id):
    user = services.managed_users(request.municipality).filter(pk=user_id).first()
    if user is None or user.pk == request.user.pk:
        raise Http404("Geen gebruiker van deze gemeente")
    return user


@never_cache
@role_required(ROLE)
@require_http_methods(["GET", "POST"])
def user_roles(request, user_id):
    """Accountrollen van één collega voor de gekozen gemeente: toekennen en intrekken."""
    user = _managed_or_404(request, user_id)
    municipality = request.municipality
    current = [r for r in GRANTABLE_ROLES if r in services.roles_in(user, municipality)]
    form = RolesForm(request.POST if request.method == "POST" else None, initial={"roles": current})
    if request.method == "POST" and form.is_valid():
        try:
            granted, removed = services.roles_set(
                actor=request.user, municipality=municipality, user=user, roles=form.cleaned_data["roles"]
            )
        except services.AccountAdminError as error:
            form.add_error(None, str(error))
        else:
            labels = dict(Role.choices)
            if not granted and not removed:
                messages.info(request, "Er is niets gewijzigd.")
            else:
                parts = []
                if granted:
                    parts.append("toegekend: " + ", ".join(labels[r] for r in granted))
                if removed:
                    parts.append("ingetrokken: " + ", ".join(labels[r] for r in removed))
                messages.success(request, f"Accountrollen van {user.get_username()} {'; '.join(parts)}.")
            return redirect("mijnduo:users")
    other_municipalities = (
        user.authorisations.exclude(municipality=municipality).values("municipality").distinct().count()
    )
    context = {
        "person": user,
        "form": form,
        "activated": services.is_activated(user),
        "account": MunicipalAccount.objects.filter(user=user).first(),
        "other_municipalities": other_municipalities,
        "has_admin_role": services.is_admin_for(user, municipality),
    }
    return render(request, "mijnduo/user_roles.html", context, status=400 if form.errors else 200)


@role_required(ROLE)
@require_POST
def user_send_code(request, user_id):
    """Activatiecode (opnieuw) mailen naar een collega die zijn account nog niet heeft geactiveerd."""
    user = _managed_or_404(request, user_id)
    try:
        services.activation_code_send(
            actor=request.user, municipality=request.municipality, user=user, login_url=_activation_url(request)
        )
    except services.AccountAdminError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Een nieuwe activatiecode is gemaild naar {user.email}. Hij is 24 uur geldig.")
    return redirect("mijnduo:user_roles", user_id=user.pk)


@never_cache
@role_required(ROLE)
@require_http_methods(["GET"])
def log(request):
    """Logboek: every account change for the chosen municipality, newest first (who, what, when)."""
    rows = AccountChange.objects.filter(municipality=request.municipality).order_by("-at", "-pk")
    table = table_configure(AccountChangeTable(rows), request)
    return render(
        request,
        "mijnduo/log.html",
        {"table": table, "rows": table.page.object_list, "pager": pager(table, same_query_page_url(request, table))},
    )


# --- activation (public) ---------------------------------------------------------------------


# Django's own messages for its password validators are not translated in this version (the
# Dutch catalogue has other placeholders): the portal says them in Dutch itself.
PASSWORD_MESSAGES = {
    "password_too_short": "Dit wachtwoord is te kort. Kies ten minste 12 tekens.",
    "password_too_common": "Dit wachtwoord wordt te veel gebruikt. Kies een ander wachtwoord.",
    "password_entirely_numeric": "Dit wachtwoord bestaat alleen uit cijfers. Gebruik ook letters of tekens.",
    "password_too_similar": "Dit wachtwoord lijkt te veel op uw gebruikersnaam of naam. Kies een ander wachtwoord.",
}


def _dutch_password_error(error: ValidationError) -> str:
    return PASSWORD_MESSAGES.get(error.code, " ".join(error.messages))


# The activation ends by linking a second factor or the organisation's sign-in (issue 13 point 4):
# with a password, the colleague is signed in (password step) and goes straight to the portal's one
# authenticator set-up ("Authenticator-app koppelen", accounts), which the middleware allows and
# nothing else; with "via uw organisatie", the checked code waits in the session (pib.sso_links)
# while the identity provider signs the colleague in, and is used up on "activate_linked".
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@sensitive_post_parameters("code", "password1", "password2")
@require_http_methods(["GET", "POST"])
def activate(request):
    """Account activeren: gebruikersnaam + activatiecode, then a password with the authenticator app,
    or the organisation's sign-in (when single sign-on is on)."""
    form = ActivationForm(request.POST if request.method == "POST" else None, sso_enabled=settings.OIDC_ENABLED)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.uses_sso:
                code = services.activation_check(username=data["username"], code=data["code"])
                if request.user.is_authenticated:
                    logout(request)  # someone else's session in this browser: the link is for the new account
                sso_links.link_request(request.session, user_id=code.user_id, ticket=code.pk)
                query = urlencode({"next": reverse("mijnduo:activate_linked")})
                # A page with a link, not a redirect: the CSP's form-action 'self' stops a form POST
                # whose redirects end at the identity provider (as accounts' SSO logout says).
                context = {"sso_url": f"{reverse('oidc_authentication_init')}?{query}", "username": code.user}
                return render(request, "mijnduo/activate_sso.html", context)
            user = services.account_activate(username=data["username"], code=data["code"], password=data["password1"])
        except services.AccountAdminError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error("password1", [_dutch_password_error(e) for e in error.error_list])
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request,
                "Uw account is geactiveerd. Koppel nu een authenticator-app: daarmee logt u voortaan in, "
                "met uw wachtwoord en een code van de app.",
            )
            return redirect(f"{reverse('enrol_totp')}?{urlencode({'next': reverse('start')})}")
    return render(request, "mijnduo/activate.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET"])
@login_required_portal
def activate_linked(request):
    """Back from the organisation's sign-in with a linked identity: the activation code is used up."""
    done = sso_links.link_finished(request.session)
    if done is None or done.get("user") != request.user.pk:
        return redirect("start")
    try:
        services.activation_complete_sso(user=request.user, code_id=done["ticket"])
    except services.AccountAdminError:
        return redirect("start")
    messages.success(
        request,
        "Uw account is geactiveerd en gekoppeld aan de inlog van uw organisatie. "
        "Voortaan logt u in met 'Inloggen via uw organisatie'.",
    )
    return redirect("start")
