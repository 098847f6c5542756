from django.contrib import admin

from .models import Signal, SignalStatusChange


class SignalStatusChangeInline(admin.TabularInline):
    model = SignalStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "user", "from_status", "to_status"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["code", "municipality", "person", "placed_on", "status"]
    list_filter = ["code", "status"]
    search_fields = ["municipality__name", "=person__bsn"]
    raw_id_fields = ["person"]
    list_select_related = ["municipality", "person"]
    inlines = [SignalStatusChangeInline]
