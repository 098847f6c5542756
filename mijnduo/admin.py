"""Django admin (DUO): the log of account changes, read-only; activation codes without their hash."""

from django.contrib import admin

from .models import AccountChange, ActivationCode, MunicipalAccount


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
