"""Lockout after 5 failed sign-ins per account and per IP address (django-axes), made exact.

Guarantees:

* django-axes counts failures per username and, separately, per client IP (``AXES_LOCKOUT_PARAMETERS``);
  the fifth failure locks; a locked username or IP gets no password check at all, also with the right
  password, until a DUO admin deletes the attempt in ``/beheer/`` (Axes → Toegangspogingen).
* Parallel guesses cannot slip past the limit: ``serialized_attempt`` holds a PostgreSQL advisory lock
  per username and per IP for the whole check-authenticate-record step, so the sixth guess waits for
  the fifth to be recorded and is then refused unevaluated (SQLite, the embedded demo: one process
  lock).
* The lockout page says the same for an existing and a non-existing account (axes counts unknown
  usernames too), in Dutch, with status 429.
"""

import hashlib
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import render

LOCKOUT_MESSAGE = (
    "Inloggen is geblokkeerd na te veel mislukte pogingen. Neem contact op met DUO-beheer om de blokkade op te heffen."
)
_process_lock = threading.Lock()


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind the TLS proxy (``BEHIND_TLS_PROXY``) the address the proxy appended last."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return request.META.get("REMOTE_ADDR") or None


def client_username(request, credentials=None) -> str:
    """The username axes counts under: what was typed, cut to the 150 characters a username can have
    (a 5,000-character 'username' is counted as its first 150, never a database error)."""
    if credentials and credentials.get("username") is not None:
        typed = credentials["username"]
    else:
        typed = request.POST.get("username", "") if request is not None else ""
    return str(typed)[:150]


def _lock_key(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


@contextmanager
def serialized_attempt(username: str, ip: str):
    """One sign-in attempt at a time per username and per IP (then axes' counts are exact)."""
    if connection.vendor != "postgresql":
        with _process_lock:
            yield
        return
    keys = sorted({_lock_key(f"inloggen:gebruiker:{username.strip().lower()}"), _lock_key(f"inloggen:ip:{ip}")})
    with transaction.atomic():
        with connection.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        yield


def locked_out(request, credentials=None, *args, **kwargs):
    """``AXES_LOCKOUT_CALLABLE``: the login page with one message, whatever the account."""
    return render(request, "accounts/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)
