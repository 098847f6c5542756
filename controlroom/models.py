"""The control room's own records: alerts about the weekly run and the audit of DUO's actions.

* ``Alert``: one per ``key`` (kind + run date + municipality), so evaluating again never makes a
  second one (unique constraint); ``resolved_at`` is set when a later evaluation no longer finds the
  condition, ``emailed_at`` when DUO functioneel beheer was told.
* ``ControlAction``: who did what when (re-render, rebuild a bundle, acknowledge an alert); written
  by the service that does it, in the same transaction. Never edited or deleted (admin: read-only).
Counts only: neither model holds person data.
"""

from django.conf import settings
from django.db import models

from elip.models import SelectionRun
from pib.models import Municipality

from .constants import ActionKind, AlertKind, AlertStatus


class Alert(models.Model):
    key = models.CharField("sleutel", max_length=80, unique=True)
    kind = models.CharField("soort", max_length=20, choices=AlertKind.choices)
    run_date = models.DateField("datum run")
    run = models.ForeignKey(
        SelectionRun, verbose_name="run", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.CharField("melding", max_length=300)
    figures = models.JSONField("cijfers", default=dict, blank=True)
    status = models.CharField("status", max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField("gemeld op", auto_now_add=True)
    resolved_at = models.DateTimeField("opgelost op", null=True, blank=True)
    emailed_at = models.DateTimeField("gemaild op", null=True, blank=True)
    acknowledged_at = models.DateTimeField("gezien op", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="gezien door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "melding (controlekamer)"
        verbose_name_plural = "meldingen (controlekamer)"
        ordering = ["-run_date", "kind", "pk"]
        indexes = [models.Index(fields=["status", "run_date"], name="alert_status_date_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.run_date:%d-%m-%Y}"


class ControlAction(models.Model):
    at = models.DateTimeField("tijdstip", auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="door", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("actie", max_length=20, choices=ActionKind.choices)
    run = models.ForeignKey(
        SelectionRun, verbose_name="run", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alert = models.ForeignKey(Alert, verbose_name="melding", null=True, blank=True, on_delete=models.PROTECT)
    detail = models.JSONField("details", default=dict, blank=True)

    class Meta:
        verbose_name = "actie (controlekamer)"
        verbose_name_plural = "acties (controlekamer)"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.at:%d-%m-%Y %H:%M}"
