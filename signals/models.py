"""Signals SS400–SS404 to municipalities. Rows created by services in the cause's transaction."""

from django.conf import settings
from django.db import models

from pib.models import Municipality, Person

from .constants import SignalCode, SignalStatus
from .querysets import SignalQuerySet


class Signal(models.Model):
    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", on_delete=models.CASCADE, related_name="signals"
    )
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="signals")
    code = models.CharField("code signaal", max_length=5, choices=SignalCode.choices)
    placed_on = models.DateField("datum signaal")
    created_at = models.DateTimeField("geplaatst", auto_now_add=True)
    status = models.CharField("status signaal", max_length=15, choices=SignalStatus.choices, default=SignalStatus.NEW)
    status_changed_at = models.DateTimeField("status gewijzigd", null=True, blank=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = "signaal"
        verbose_name_plural = "signalen"
        ordering = ["-placed_on", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "status"], name="signal_muni_status_idx"),
            models.Index(fields=["municipality", "placed_on", "id"], name="signal_muni_placed_idx"),
            models.Index(fields=["status", "status_changed_at"], name="signal_status_changed_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.placed_on:%d-%m-%Y}"

    @property
    def description(self):
        return SignalCode(self.code).label


class SignalStatusChange(models.Model):
    signal = models.ForeignKey(Signal, verbose_name="signaal", on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField("tijdstip", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gewijzigd door", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField("van", max_length=15, choices=SignalStatus.choices)
    to_status = models.CharField("naar", max_length=15, choices=SignalStatus.choices)

    class Meta:
        verbose_name = "statuswijziging signaal"
        verbose_name_plural = "statuswijzigingen signaal"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class PersonContact(models.Model):
    """The municipality's contact person for one inburgeraar ("contactpersoon" in the signal list).

    Linked to the person, not to each signal: every signal of that person shown to that
    municipality carries the same contact person. One per (municipality, person); the
    municipality assigns one of its own users (``signals.services.person_contact_assign``).
    """

    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", on_delete=models.CASCADE, related_name="person_contacts"
    )
    person = models.ForeignKey(
        Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="municipal_contacts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="contactpersoon", on_delete=models.CASCADE, related_name="+"
    )
    assigned_at = models.DateTimeField("toegewezen op", auto_now=True)

    class Meta:
        verbose_name = "contactpersoon inburgeraar"
        verbose_name_plural = "contactpersonen inburgeraars"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "person"], name="person_contact_unique"),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.user}"
