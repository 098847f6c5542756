from django.db import models


class MatchedRule(models.TextChoices):
    TERM_AND_LOAN = "termijn_en_lening", "Einde termijn in zicht en leenruimte grotendeels benut"
    LOAN_ONLY = "lening", "Leenruimte (vrijwel) geheel benut, ongeacht de termijn"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "aangemeld", "Aangemeld"
    WITHDRAWN = "afgemeld", "Afgemeld"


class EnrolmentAction(models.TextChoices):
    ENROL = "aangemeld", "Aangemeld"
    CHANGE = "gewijzigd", "Gewijzigd"
    WITHDRAW = "afgemeld", "Afgemeld"


class RunStatus(models.TextChoices):
    RUNNING = "bezig", "Bezig"
    DONE = "voltooid", "Voltooid"


class PolicyStatus(models.TextChoices):
    """A criteria version takes force only once approved by a second DUO administrator (four eyes)."""

    DRAFT = "concept", "Concept"
    APPROVED = "goedgekeurd", "Goedgekeurd"


class PolicyAction(models.TextChoices):
    DRAFTED = "aangemaakt", "Concept aangemaakt"
    CHANGED = "gewijzigd", "Concept gewijzigd"
    APPROVED = "goedgekeurd", "Goedgekeurd"
    DELETED = "verwijderd", "Concept verwijderd"


class DigestChannel(models.TextChoices):
    """Where a user changed the weekly digest setting."""

    PORTAL = "portaal", "In het portaal (Instellingen)"
    OPT_OUT_LINK = "afmeldlink", "Afmeldlink in de e-mail"
