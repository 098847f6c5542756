"""The session table with the signed-in user's id beside each row.

``PortalSession`` is Django's database session plus an indexed ``user_id`` column, filled from the
session data whenever the session is saved (also after ``cycle_key``). It lets the portal end every
session of one account in one statement (``accounts.services.end_sessions``) when the account is
disabled or loses a role, without decoding every session. The session data itself holds no
personal data of citizens: no BSN (``tests/e2e`` scans every row after each browser test).
"""

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class PortalSession(AbstractBaseSession):
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "sessie"
        verbose_name_plural = "sessies"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
