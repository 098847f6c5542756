"""Who may do what for which municipality.

Every portal view is wrapped in ``role_required(Role.X)``: anonymous users go to
the login page, users without that role for the chosen municipality get a 403
page with a Dutch explanation. The chosen municipality ("Gekozen gemeente")
lives in the session and is re-checked against the user's authorisations on
every request by ``ChosenMunicipalityMiddleware``.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from .constants import Role
from .models import Authorisation, Municipality

SESSION_KEY = "gekozen_gemeente"


def municipalities_for(user):
    """The municipalities a user holds any role for."""
    if not user.is_authenticated:
        return Municipality.objects.none()
    return Municipality.objects.filter(authorisation__user=user).distinct().order_by("name")


def municipality_ids_with_role(user, role):
    """The ids of the municipalities where ``user`` holds ``role``, as a subquery (empty for an
    anonymous user). The upper apps scope their rows with it (e.g. ``Signal.objects.filter_for_user``)."""
    if not user.is_authenticated:
        return Authorisation.objects.none().values("municipality_id")
    return Authorisation.objects.filter(user=user, role=role).values("municipality_id")


def roles_for(user, municipality) -> set[str]:
    if not user.is_authenticated or municipality is None:
        return set()
    return set(Authorisation.objects.filter(user=user, municipality=municipality).values_list("role", flat=True))


class ChosenMunicipalityMiddleware:
    """Sets ``request.municipality`` (or None) and ``request.roles`` for the chosen municipality."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = None
        request.roles = set()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            rows = list(
                Authorisation.objects.filter(user=user).select_related("municipality").order_by("municipality__name")
            )
            by_id = {}
            for row in rows:
                by_id.setdefault(row.municipality_id, (row.municipality, set()))[1].add(row.role)
            chosen = request.session.get(SESSION_KEY)
            if chosen not in by_id:
                chosen = next(iter(by_id), None)
                if chosen is None:
                    request.session.pop(SESSION_KEY, None)
                else:
                    request.session[SESSION_KEY] = chosen
            if chosen is not None:
                request.municipality, request.roles = by_id[chosen]
            request.available_municipalities = [m for m, _ in by_id.values()]
        else:
            request.available_municipalities = []
        return self.get_response(request)


def choose_municipality(request, municipality_id) -> bool:
    """Store the choice if the user holds a role there; False (and no change) otherwise."""
    if not Authorisation.objects.filter(user=request.user, municipality_id=municipality_id).exists():
        return False
    request.session[SESSION_KEY] = int(municipality_id)
    request.session.cycle_key()  # a new session key at every municipality switch
    return True


def role_required(role):
    """Deny by default: only users holding ``role`` for the chosen municipality pass."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role not in request.roles:
                return render(
                    request,
                    "403.html",
                    {"missing_role": Role(role).label, "municipality": request.municipality},
                    status=403,
                )
            return view(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def login_required_portal(view):
    """For pages every logged-in user may see (the start screen, the municipality chooser)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.required_role = None
    return wrapped


def portal_context(request):
    return {
        "chosen_municipality": getattr(request, "municipality", None),
        "available_municipalities": getattr(request, "available_municipalities", []),
        "user_roles": getattr(request, "roles", set()),
        "Role": Role,
    }
