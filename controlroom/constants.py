from django.db import models


class AlertKind(models.TextChoices):
    RUN_LATE = "run_te_laat", "Run niet op tijd voltooid"
    RENDER_FAILED = "pdf_mislukt", "PDF's mislukt"
    BUNDLE_MISSING = "bundel_ontbreekt", "Bundel ontbreekt"
    COUNT_HIGH = "aantal_hoog", "Aantal brieven ongewoon hoog"
    COUNT_ZERO = "aantal_nul", "Geen brieven na weken met brieven"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "gezien", "Gezien"


class ActionKind(models.TextChoices):
    RERENDER = "pdf_opnieuw", "Mislukte PDF's opnieuw maken"
    REBUILD_BUNDLE = "bundel_opnieuw", "Bundel opnieuw maken"
    ACKNOWLEDGE = "melding_gezien", "Melding als gezien gemarkeerd"
