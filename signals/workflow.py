"""The status machine of a signal (manual §3.2.2, DOMAIN.md "Signals").

Nieuw → In behandeling → Afgehandeld, and Nieuw → Afgehandeld directly. Nothing goes
back to Nieuw and an Afgehandeld signal stays Afgehandeld (it is deleted a week later).
A move to the status a signal already has is not a transition: the service skips it
(no history row), so a bulk "In behandeling" over a selection that already holds some
signals In behandeling changes only the others.
"""

from .constants import SignalStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    SignalStatus.NEW: frozenset({SignalStatus.IN_PROGRESS, SignalStatus.DONE}),
    SignalStatus.IN_PROGRESS: frozenset({SignalStatus.DONE}),
    SignalStatus.DONE: frozenset(),
}


class SignalTransitionError(Exception):
    """An illegal status move; the message is Dutch and shown to the user as is."""


class SignalNotFoundError(SignalTransitionError):
    """One of the requested signals is not a signal of this municipality (or no longer exists)."""


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def check_transition(from_status: str, to_status: str) -> None:
    if not is_allowed(from_status, to_status):
        raise SignalTransitionError(
            f"Een signaal met status '{SignalStatus(from_status).label}' kan niet de status "
            f"'{SignalStatus(to_status).label}' krijgen. Er is niets gewijzigd."
        )
