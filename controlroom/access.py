"""Who may open the control room: the one access decision of every control-room view.

Deny by default. ``controlroom_view`` wraps every view of this app (tests/controlroom/test_access.py
walks every URL pattern of ``controlroom.urls``, so a view added without it fails):

* not signed in, or a DUO account that has not given its second factor: to the portal's sign-in
  (as ``/beheer/`` does);
* signed in without the admin site's permission (active staff with the second factor) or without
  ``controlroom.view_alert``: 403. "DUO functioneel beheer" holds that permission
  (pib/duo_groups.py); "DUO accountbeheer" and municipal users do not;
* actions (POST) need ``controlroom.add_controlaction`` as well (``action=True``).

Views get ``admin.site.each_context(request)`` through ``admin_context`` so their templates extend
``admin/base_site.html`` like any admin page.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .navigation import sections

VIEW_PERMISSION = "controlroom.view_alert"
ACTION_PERMISSION = "controlroom.add_controlaction"
ACKNOWLEDGE_PERMISSION = "controlroom.change_alert"


def may_view(request) -> bool:
    user = request.user
    return admin.site.has_permission(request) and user.has_perm(VIEW_PERMISSION)


def may_act(request) -> bool:
    return may_view(request) and request.user.has_perm(ACTION_PERMISSION)


def controlroom_view(view=None, *, action: bool = False):
    """Decorator: the view opens only for DUO functioneel beheer (see the module docstring)."""

    def decorate(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or (
                user.is_active and user.is_staff and not admin.site.has_permission(request)
            ):
                return redirect_to_login(request.get_full_path(), login_url=reverse("login"))
            if not may_view(request) or (action and not may_act(request)):
                raise PermissionDenied
            return func(request, *args, **kwargs)

        wrapper.controlroom_protected = True
        return never_cache(csrf_protect(wrapper))

    return decorate(view) if view is not None else decorate


def admin_context(request, title: str, **extra) -> dict:
    """The admin site's context (header, user tools, nav) plus the control room's navigation."""
    return {
        **admin.site.each_context(request),
        "title": title,
        "controlroom_sections": sections(request),
        "may_act": may_act(request),
        **extra,
    }
