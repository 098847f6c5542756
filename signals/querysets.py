"""Which signals a user may see: the scoping of signal rows lives with the Signal model
(Signalen's ``filter_for_user`` pattern).

Guarantee: ``Signal.objects.filter_for_user(user, municipality)`` holds only signals sent to
``municipality``, and only when ``user`` holds the role "ELIP signalen" there (the portal's one
access decision, ``pib.access``); otherwise it is empty. Every signal screen, CSV and print page
starts from it (``signals.selectors``); anything outside it answers 404.
"""

from django.db import models

from pib.access import municipality_ids_with_role
from pib.constants import Role


class SignalQuerySet(models.QuerySet):
    def filter_for_user(self, user, municipality) -> "SignalQuerySet":
        if municipality is None:
            return self.none()
        return self.filter(
            municipality=municipality, municipality_id__in=municipality_ids_with_role(user, Role.ELIP_SIGNALS)
        )
