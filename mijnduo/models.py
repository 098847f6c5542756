"""Accounts a municipality's Mijn DUO-beheerder manages (manual ch. 2), their activation codes,
and the log of every change (who, what, when)."""

from django.conf import settings
from django.db import models

from pib.constants import Role
from pib.models import Municipality

from .constants import AccountAction


class MunicipalAccount(models.Model):
    """A portal account created by a municipality's Mijn DUO-beheerder (not yet activated while
    ``activated_at`` is empty: the colleague has no password until the activation code is used)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="municipal_account"
    )
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="aangemaakt door",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    activated_at = models.DateTimeField("geactiveerd op", null=True, blank=True)

    class Meta:
        verbose_name = "gemeentelijk account"
        verbose_name_plural = "gemeentelijke accounts"

    def __str__(self):
        return f"{self.user} ({self.municipality})"


class ActivationCode(models.Model):
    """A single-use activation code, valid 24 hours, stored only as a keyed hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="activation_codes"
    )
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.PROTECT)
    code_hash = models.CharField("activatiecode (gehasht)", max_length=64, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="verstuurd door", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("verstuurd op", auto_now_add=True)
    expires_at = models.DateTimeField("geldig tot")
    used_at = models.DateTimeField("gebruikt op", null=True, blank=True)
    revoked_at = models.DateTimeField("ingetrokken op", null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField("mislukte pogingen", default=0)

    class Meta:
        verbose_name = "activatiecode"
        verbose_name_plural = "activatiecodes"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} {self.created_at:%d-%m-%Y %H:%M}"


class AccountChange(models.Model):
    """Append-only: one row per account created, role granted or removed, code sent, activation."""

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="door", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField("door (gebruikersnaam)", max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField("gebruikersnaam", max_length=150)
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.PROTECT)
    action = models.CharField("wijziging", max_length=20, choices=AccountAction.choices)
    role = models.CharField("accountrol", max_length=20, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = "wijziging account of accountrol"
        verbose_name_plural = "wijzigingen accounts en accountrollen"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%d-%m-%Y %H:%M} {self.actor_username}: {self.get_action_display()} {self.username}"
