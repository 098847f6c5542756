"""``SESSION_ENGINE = "accounts.sessions"``: database sessions in ``accounts.PortalSession``."""

from .models import SessionStore

__all__ = ["SessionStore"]
