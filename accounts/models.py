"""The session table with the signed-in user's id beside each row.

``PortalSession`` is Django's database session plus an indexed ``user_id`` column, filled from the
session data whenever the session is saved (also after ``cycle_key``). It lets the portal end every
session of one account in one statement (``accounts.services.end_sessions``) when the account is
disabled or loses a role, without decoding every session. The session data itself holds no
personal data of citizens: no BSN (``tests/e2e`` scans every row after each browser test).
``SESSION_ENGINE = "accounts.sessions"`` uses ``SessionStore`` below.
"""

from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class PortalSession(AbstractBaseSession):
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "sessie"
        verbose_name_plural = "sessies"

    @classmethod
    def get_session_store_class(cls):
        return SessionStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        return PortalSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get("_auth_user_id"))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
