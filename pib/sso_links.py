"""Linking a new account to its single-sign-on identity at activation: the hand-over between the
activation (mijnduo) and the sign-in (accounts). Both apps sit on one layer and may not import each
other; this module, below both, is the contract between them, kept in the browser's session.

1. mijnduo, after checking the colleague's username and activation code, calls ``link_request``
   with the account and its own ticket (the activation code's id), then sends the browser to
   "Inloggen via uw organisatie".
2. accounts' OIDC backend, at the callback of that same session, calls ``link_take``: with a pending
   link it links the verified identity (``SsoIdentity``: issuer + subject) to that account before it
   looks the user up, and records the result with ``link_done``.
3. mijnduo's "koppelen klaar" page calls ``link_finished`` and, when it names the signed-in user,
   uses the ticket up (the activation code) and logs the activation.

A pending link lives 15 minutes (the provider round trip); it holds ids only, no personal data.
"""

import time

PENDING = "sso_koppeling"
DONE = "sso_koppeling_klaar"
MAX_AGE_SECONDS = 15 * 60


def link_request(session, *, user_id: int, ticket: int) -> None:
    session.pop(DONE, None)
    session[PENDING] = {"user": user_id, "ticket": ticket, "at": int(time.time())}


def link_take(session) -> dict | None:
    """The pending link of this session (removed from it), or None (none, or older than 15 minutes)."""
    pending = session.pop(PENDING, None)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > MAX_AGE_SECONDS:
        return None
    return pending


def link_done(session, pending: dict) -> None:
    session[DONE] = {"user": pending["user"], "ticket": pending["ticket"]}


def link_finished(session) -> dict | None:
    """The link the backend made in this session (removed from it), or None."""
    done = session.pop(DONE, None)
    return done if isinstance(done, dict) else None
