"""Django admin (DUO): the log of account changes, read-only; activation codes without their hash.
The project's one ReadOnlyAdmin: searches are POSTed (never in a URL) like every admin."""

from django.contrib import admin

from pib.admin_base import ReadOnlyAdmin

from .models import AccountChange, ActivationCode, MunicipalAccount


@admin.register(AccountChange)
class AccountChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_username", "action", "role", "username", "municipality")
    list_filter = ("action", "role")
    search_fields = ("actor_username", "username")


@admin.register(ActivationCode)
class ActivationCodeAdmin(ReadOnlyAdmin):
    list_display = ("user", "municipality", "created_at", "expires_at", "used_at", "revoked_at", "failed_attempts")
    exclude = ("code_hash",)


@admin.register(MunicipalAccount)
class MunicipalAccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "municipality", "created_by", "created_at", "activated_at")
