from django.contrib import admin

from pib.admin_base import PortalModelAdmin, ReadOnlyAdmin

from .models import ElipEnrolment, ElipEnrolmentChange, PolicyVersion, RunMunicipality, SelectionRun


@admin.register(PolicyVersion)
class PolicyVersionAdmin(PortalModelAdmin):
    """DUO admins add a version to change the criteria from a date on; a run uses the version in force
    on its date. A version a run already used is read-only (and cannot be deleted: PROTECT), so the
    record of why a letter was sent never changes afterwards."""

    list_display = ["valid_from", "months_before_term_end", "term_rule_percentage", "loan_rule_percentage", "note"]
    fields = ["valid_from", "months_before_term_end", "term_rule_percentage", "loan_rule_percentage", "note"]

    def _used(self, obj):
        return obj is not None and SelectionRun.objects.filter(policy=obj).exists()

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._used(obj) else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._used(obj)


class ElipEnrolmentChangeInline(admin.TabularInline):
    model = ElipEnrolmentChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "user", "action", "changes"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ElipEnrolment)
class ElipEnrolmentAdmin(ReadOnlyAdmin):
    """Municipalities enrol, change and withdraw themselves in the portal (Beheren ELIP brief), through
    the services that validate and keep history; DUO admins read the enrolment and its history here."""

    list_display = ["municipality", "status", "letter_phone", "letter_email", "contact_name", "updated_at"]
    list_filter = ["status"]
    search_fields = ["municipality__name"]
    list_select_related = ["municipality"]
    inlines = [ElipEnrolmentChangeInline]


class RunMunicipalityInline(admin.TabularInline):
    model = RunMunicipality
    extra = 0
    readonly_fields = ["municipality", "letters_count"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SelectionRun)
class SelectionRunAdmin(PortalModelAdmin):
    list_display = ["run_date", "iso_year", "iso_week", "status", "policy", "finished_at"]
    readonly_fields = ["run_date", "iso_year", "iso_week", "policy", "status", "started_at", "finished_at"]
    inlines = [RunMunicipalityInline]

    def has_add_permission(self, request):
        return False  # runs are made by the weekly run (beat task or `manage.py elip_run`) only


@admin.register(ElipEnrolmentChange)
class ElipEnrolmentChangeAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "action", "at", "user"]
    list_filter = ["action"]
    search_fields = ["enrolment__municipality__name", "user__username"]
    list_select_related = ["enrolment__municipality", "user"]


@admin.register(RunMunicipality)
class RunMunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["run", "municipality", "letters_count"]
    search_fields = ["municipality__name"]
    list_select_related = ["run", "municipality"]
