from django import forms
from django.contrib import admin

from pib.admin_base import PortalModelAdmin, ReadOnlyAdmin
from pib.models import Authorisation

from .models import PersonContact, Signal, SignalStatusChange
from .services import person_contact_assign


class SignalStatusChangeInline(admin.TabularInline):
    model = SignalStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "user", "from_status", "to_status"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Signal)
class SignalAdmin(PortalModelAdmin):
    """Read-only: signals are created by their cause (services) and change status only through
    ``signal_status_change`` (the municipality's screen), so the history stays complete."""

    list_display = ["code", "municipality", "person", "placed_on", "status"]
    list_filter = ["code", "status"]
    search_fields = ["municipality__name", "=person__bsn"]
    raw_id_fields = ["person"]
    list_select_related = ["municipality", "person"]
    inlines = [SignalStatusChangeInline]
    readonly_fields = ["municipality", "person", "code", "placed_on", "created_at", "status", "status_changed_at"]

    def has_add_permission(self, request):
        return False


class PersonContactForm(forms.ModelForm):
    class Meta:
        model = PersonContact
        fields = ["municipality", "person", "user"]

    def clean(self):
        cleaned = super().clean()
        municipality, user = cleaned.get("municipality"), cleaned.get("user")
        if municipality and user and not Authorisation.objects.filter(user=user, municipality=municipality).exists():
            self.add_error("user", "Deze medewerker heeft geen accountrol voor deze gemeente.")
        return cleaned


@admin.register(PersonContact)
class PersonContactAdmin(PortalModelAdmin):
    """Through ``person_contact_assign``: only a user with a role for the municipality."""

    form = PersonContactForm
    list_display = ["person", "municipality", "user", "assigned_at"]
    search_fields = ["=person__bsn", "person__last_name", "municipality__name", "user__username"]
    raw_id_fields = ["person"]
    autocomplete_fields = ["municipality", "user"]
    list_select_related = ["person", "municipality", "user"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = person_contact_assign(municipality=data["municipality"], person=data["person"], user=data["user"])
        obj.pk = saved.pk


@admin.register(SignalStatusChange)
class SignalStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["signal", "from_status", "to_status", "at", "user"]
    list_filter = ["to_status"]
    list_select_related = ["signal", "user"]
