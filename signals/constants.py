from django.db import models


class SignalCode(models.TextChoices):
    """Manual §3.2.3, 'Signaallijst': the label is the description shown to municipalities."""

    SS400 = "SS400", "Persoon zit aan einde lening en is nog inburgeringsplichtig (ELIP)"
    SS401 = "SS401", "Datum einde inburgeringsplicht is gewijzigd"
    SS402 = "SS402", "Persoon zijn inburgeringsplicht is beëindigd"
    SS403 = "SS403", "Persoon is verhuisd naar uw gemeente"
    SS404 = "SS404", "Persoon is vertrokken uit uw gemeente"


class SignalStatus(models.TextChoices):
    NEW = "nieuw", "Nieuw"
    IN_PROGRESS = "in_behandeling", "In behandeling"
    DONE = "afgehandeld", "Afgehandeld"
