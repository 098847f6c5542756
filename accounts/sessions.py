"""``SESSION_ENGINE = "accounts.sessions"``: database sessions in ``accounts.PortalSession``."""

from django.contrib.sessions.backends.db import SessionStore as DBStore

from .models import PortalSession


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
