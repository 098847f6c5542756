from django.db import models

from pib.constants import Role

# The manual's eight account roles (chapter 2, "Accountrollen"): what a municipality's Mijn
# DUO-beheerder may grant. The beheerder role itself is not among them: DUO appoints a beheerder
# (the manual's form "Aanmelding en wijziging Mijn DUO met eHerkenning (beheerder)").
GRANTABLE_ROLES = tuple(role for role in Role if role != Role.MIJN_DUO_ADMIN)

ACTIVATION_VALID_HOURS = 24
ACTIVATION_MAX_ATTEMPTS = 5
# Unambiguous capitals and digits (no 0/O, 1/I/L): 16 characters ≈ 78 bits, typed in groups of 4.
ACTIVATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACTIVATION_LENGTH = 16


class AccountAction(models.TextChoices):
    CREATED = "aangemaakt", "Account aangemaakt"
    GRANTED = "toegekend", "Accountrol toegekend"
    REMOVED = "ingetrokken", "Accountrol ingetrokken"
    CODE_SENT = "code_verstuurd", "Activatiecode verstuurd"
    ACTIVATED = "geactiveerd", "Account geactiveerd"
