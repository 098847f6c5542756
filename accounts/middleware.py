"""Every signed-in request passes two checks (after Django's and django-otp's middleware):

``SessionLimitsMiddleware``: a session ends after ``SESSION_IDLE_MINUTES`` (15) without a request and
``SESSION_MAX_HOURS`` (12) after sign-in, whatever happens in between; the user lands on the login
page with a Dutch notice. (The session cookie and row expire after the idle time as well:
``SESSION_COOKIE_AGE`` with ``SESSION_SAVE_EVERY_REQUEST``.)

``SecondFactorRequiredMiddleware``: a user who gave a password but no second factor yet
(``second_factor_done`` is False; an SSO session had its second factor at the identity provider)
reaches only the second-factor and enrolment pages and logout; every other URL, ``/beheer/``
included, redirects there. No portal view and no admin page runs for such a user.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .oidc import second_factor_done
from .receivers import SESSION_SEEN, SESSION_STARTED

OPEN_URL_NAMES = ("login", "logout", "second_factor", "enrol_totp", "oidc_authentication_callback")


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            idle = settings.SESSION_IDLE_MINUTES * 60
            maximum = settings.SESSION_MAX_HOURS * 3600
            if (
                not isinstance(started, int)
                or not isinstance(seen, int)
                or now - seen > idle
                or now - started > maximum
            ):
                logout(request)
                messages.info(request, "Uw sessie is verlopen. Log opnieuw in.")
                return redirect_to_login(request.get_full_path())
            request.session[SESSION_SEEN] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_URL_NAMES}
        return self._open_paths

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not second_factor_done(request):
            path = request.path_info
            static = path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/")))
            if path not in self.open_paths() and not static:
                return redirect(f"{reverse('second_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
