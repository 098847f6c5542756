import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from .access import choose_municipality, login_required_portal
from .constants import Role
from .start_notices import notices_for


@dataclass(frozen=True)
class Part:
    """One part ('onderdeel') of the start screen 'Inburgering' (manual §3.1)."""

    title: str
    subtitle: str
    roles: frozenset  # any of these roles shows the part
    url_name: str = ""  # empty: not part of this portal (Wi2007/Wi2013/Wi2021 screens)
    hidden_by: frozenset = frozenset()  # a role that shows a part that includes this one
    url_roles: frozenset = frozenset()  # when set: only these roles can follow url_name (others see the part)
    more: tuple = ()  # further screens of the part: (link text, url name), shown when url_name is followable


_LAW_ROLES = frozenset({Role.VIEW_2007, Role.VIEW_2013, Role.MUTATE_2013, Role.VIEW_2021, Role.MUTATE_2021})

# The manual's order (§3.1, alphabetical), titles and sub-lines. The view-only 2013/2021 parts are
# not in the manual's screen print (its user held the 'muteren' roles); they follow its pattern.
PARTS = (
    Part(
        "Beheren contactpersonen 2021",
        "Beheren contactpersonen voor de Wet Inburgering 2021",
        frozenset({Role.MUTATE_2021}),
    ),
    Part("Beheren ELIP brief", "Aanmelden of afmelden voor de ELIP brief", frozenset({Role.ELIP_LETTER}), "elip:brief"),
    # The municipality's copy of its ELIP letters (seed 000: "Exclusief voor gemeenten"): for the role
    # Raadplegen ELIP personen (DOMAIN.md); the Wi2007/2013/2021 files of the law roles are not in this portal.
    Part(
        "Downloaden bestanden",
        "Downloaden bestanden voor Inburgering",
        _LAW_ROLES | {Role.ELIP_PERSONS},
        "elip:downloads",
        url_roles=frozenset({Role.ELIP_PERSONS}),
    ),
    # Issue 15: the effect of the letters, the municipality's own figures against the national ones.
    Part(
        "Effect ELIP-brief",
        "Wat er na de ELIP-brief gebeurt: cijfers van uw gemeente en landelijk",
        frozenset({Role.ELIP_LETTER}),
        "elip:effect",
    ),
    Part(
        "Gebruikers en accountrollen",
        "Accounts aanmaken en accountrollen toekennen voor uw gemeente (Mijn DUO-beheerder)",
        frozenset({Role.MIJN_DUO_ADMIN}),
        "mijnduo:users",
    ),
    Part("PVT waardepapieren bestellen", "Hier kunt u PVT waardepapieren bestellen", frozenset({Role.MUTATE_2021})),
    Part(
        "Raadplegen ELIP personen",
        "Raadplegen personen einde lening, nog inburgeringsplichtig",
        frozenset({Role.ELIP_PERSONS}),
        "elip:persons_search",
        more=(("Werkvoorraad: wie heeft het eerst hulp nodig", "elip:worklist"),),
    ),
    Part(
        "Raadplegen en muteren ELIP signalen",
        "Raadplegen en muteren signalen einde lening, nog inburgeringsplichtig",
        frozenset({Role.ELIP_SIGNALS}),
        "signals:search",
    ),
    Part(
        "Raadplegen en muteren persoon 2013",
        "Raadplegen en muteren van persoonsgegevens voor de Wet Inburgering 2013",
        frozenset({Role.MUTATE_2013}),
    ),
    Part(
        "Raadplegen en muteren persoon 2021",
        "Raadplegen en muteren persoon voor de Wet Inburgering 2021",
        frozenset({Role.MUTATE_2021}),
    ),
    Part(
        "Raadplegen en muteren signalen 2013",
        "Raadplegen en muteren van signalen onder de Wet Inburgering 2013",
        frozenset({Role.MUTATE_2013}),
    ),
    Part(
        "Raadplegen en muteren signalen 2021",
        "Raadplegen en muteren signalen voor de Wet Inburgering 2021",
        frozenset({Role.MUTATE_2021}),
    ),
    Part(
        "Raadplegen persoon 2007",
        "Raadplegen van persoonsgegevens voor de Wet Inburgering 2007",
        frozenset({Role.VIEW_2007}),
    ),
    Part(
        "Raadplegen persoon 2013",
        "Raadplegen van persoonsgegevens voor de Wet Inburgering 2013",
        frozenset({Role.VIEW_2013}),
        hidden_by=frozenset({Role.MUTATE_2013}),
    ),
    Part(
        "Raadplegen persoon 2021",
        "Raadplegen persoon voor de Wet Inburgering 2021",
        frozenset({Role.VIEW_2021}),
        hidden_by=frozenset({Role.MUTATE_2021}),
    ),
    Part(
        "Raadplegen signalen 2007",
        "Raadplegen signalen onder Wet Inburgering 2007",
        frozenset({Role.VIEW_2007}),
    ),
    Part(
        "Raadplegen signalen 2013",
        "Raadplegen signalen onder de Wet Inburgering 2013",
        frozenset({Role.VIEW_2013}),
        hidden_by=frozenset({Role.MUTATE_2013}),
    ),
    Part(
        "Raadplegen signalen 2021",
        "Raadplegen signalen voor de Wet Inburgering 2021",
        frozenset({Role.VIEW_2021}),
        hidden_by=frozenset({Role.MUTATE_2021}),
    ),
)


_MUNICIPALITY_ID = re.compile(r"[0-9]{1,18}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def parts_for(roles) -> list[dict]:
    """The start screen's parts for a set of roles, in the manual's order."""
    roles = set(roles)
    shown = []
    for part in PARTS:
        if not roles & part.roles or roles & part.hidden_by:
            continue
        followable = bool(part.url_name) and (not part.url_roles or bool(roles & part.url_roles))
        shown.append(
            {
                "title": part.title,
                "subtitle": part.subtitle,
                "url": reverse(part.url_name) if followable else "",
                "more": [{"text": text, "url": reverse(name)} for text, name in part.more] if followable else [],
            }
        )
    return shown


@login_required_portal
@require_safe
def start(request):
    """Start screen 'Inburgering' (manual §3.1): the parts the user's roles allow for the chosen municipality,
    and above them the notices of the apps above pib (``pib.start_notices``)."""
    context = {"parts": parts_for(request.roles), "notices": notices_for(request)}
    return render(request, "pib/start.html", context)


@require_POST
@login_required_portal
def choose_municipality_view(request):
    """'Andere gemeente kiezen' (manual §3.7): only municipalities the user holds a role for."""
    raw = request.POST.get("gemeente", "")
    # ASCII digits only: str.isdigit() also accepts '²', which int() refuses (a 500 before).
    if not _MUNICIPALITY_ID.fullmatch(raw) or not choose_municipality(request, int(raw)):
        messages.error(request, "U bent niet geautoriseerd voor deze gemeente. De gekozen gemeente is niet gewijzigd.")
        return redirect("start")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    # A confirmation step or one person's page belongs to the previous municipality: go to the start screen.
    if not target.startswith("/") or "/bevestigen/" in target or _UUID.search(target):
        target = reverse("start")
    return redirect(target)


class LogoutView(auth_views.LogoutView):
    """Uitloggen (POST with CSRF, as Django's): ends the session and lands on the login page with
    "U bent uitgelogd." (the message travels in the messages cookie: the session is gone)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "U bent uitgelogd.")
        return response


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
