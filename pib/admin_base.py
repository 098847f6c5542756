"""Shared Django admin pieces."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the application writes and nobody edits: logs, history, run output.
    DUO admins search and read; adding, changing and deleting are refused (403)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
