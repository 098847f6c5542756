"""ELIP letters: the snapshot of what DUO knew at the run, and the PDFs.

A ``Dispatch`` ("verzending") is the letters sent on one date, with their bundles. Whoever sends
letters makes it (the weekly ELIP run: ``elip.SelectionRun.dispatch``, one-to-one); the letters
app does not know why a letter was sent, so it never refers to the app above it."""

from django.db import models

from pib.models import Municipality, Person


class RenderStatus(models.TextChoices):
    PENDING = "wachtend", "Wachtend"
    RENDERED = "aangemaakt", "Aangemaakt"
    FAILED = "mislukt", "Mislukt"


class Dispatch(models.Model):
    """The letters sent on one date ('verzending'); at most one per date."""

    date = models.DateField("datum verzending", unique=True)
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)

    class Meta:
        verbose_name = "verzending (brieven)"
        verbose_name_plural = "verzendingen (brieven)"
        ordering = ["-date"]

    def __str__(self):
        return f"Verzending {self.date:%d-%m-%Y}"


class Letter(models.Model):
    # OneToOne: a person receives at most one ELIP letter, ever (enforced by the database).
    person = models.OneToOneField(
        Person, verbose_name="inburgeraar", on_delete=models.PROTECT, related_name="elip_letter"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="namens gemeente", on_delete=models.PROTECT, related_name="elip_letters"
    )
    dispatch = models.ForeignKey(Dispatch, verbose_name="verzending", on_delete=models.PROTECT, related_name="letters")
    letter_date = models.DateField("datum brief")
    reference = models.CharField("onze referentie", max_length=40)
    matched_rule = models.CharField("voldeed aan", max_length=20)
    snapshot = models.JSONField("gegevens op de briefdatum")
    pdf = models.FileField("PDF", upload_to="letters/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField("SHA-256 van de PDF", max_length=64, blank=True)
    render_status = models.CharField(
        "status PDF", max_length=12, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    render_attempts = models.PositiveSmallIntegerField("pogingen PDF", default=0)
    render_error = models.TextField("laatste fout PDF", blank=True)
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)

    class Meta:
        verbose_name = "ELIP-brief"
        verbose_name_plural = "ELIP-brieven"
        ordering = ["-letter_date", "pk"]
        indexes = [models.Index(fields=["municipality", "dispatch"], name="letter_muni_dispatch_idx")]

    def __str__(self):
        return f"ELIP-brief {self.reference}"


class LetterBundle(models.Model):
    """All letters of one run for one municipality, merged into one PDF ('gebundelde versie')."""

    dispatch = models.ForeignKey(Dispatch, verbose_name="verzending", on_delete=models.CASCADE, related_name="bundles")
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.PROTECT)
    pdf = models.FileField("PDF", upload_to="bundles/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField("SHA-256 van de PDF", max_length=64, blank=True)
    letters_count = models.PositiveIntegerField("aantal brieven", default=0)
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)

    class Meta:
        verbose_name = "gebundelde versie"
        verbose_name_plural = "gebundelde versies"
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "municipality"], name="bundle_unique_per_dispatch_municipality")
        ]

    def __str__(self):
        return f"Bundel {self.municipality} {self.dispatch}"
