"""The control room's records in Django admin: read only (alerts change through the control room's
"Gezien", actions are an audit log). The screens themselves are at /beheer/controlekamer/."""

from django.contrib import admin

from pib.admin_base import ReadOnlyAdmin

from .models import Alert, ControlAction


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["run_date", "kind", "municipality", "status", "resolved_at", "emailed_at"]
    list_filter = ["kind", "status"]
    search_fields = ["municipality__name", "message"]
    list_select_related = ["municipality"]


@admin.register(ControlAction)
class ControlActionAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "run", "municipality"]
    list_filter = ["kind"]
    search_fields = ["user__username", "municipality__name"]
    list_select_related = ["user", "run", "municipality"]
