"""Django admin for DUO administrators: the registry, accounts' roles and the read log."""

from django.contrib import admin

from .models import (
    Authorisation,
    Contract,
    Enrolment,
    Exam,
    ExamAttempt,
    Institution,
    Invoice,
    Loan,
    LoanRequest,
    Municipality,
    Person,
    ReadLogEntry,
    TermExtension,
)
from .readlog import bsn_hash
from .validators import is_valid_bsn

admin.site.site_header = "DUO – beheer Portal Inburgering"
admin.site.site_title = "DUO-beheer"
admin.site.index_title = "Beheer"


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    search_fields = ["code", "name"]
    list_filter = ["province"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "creditor_city", "quality_mark"]
    search_fields = ["name", "code"]


class TermExtensionInline(admin.TabularInline):
    model = TermExtension
    extra = 0


class LoanInline(admin.StackedInline):
    model = Loan
    extra = 0


class LoanRequestInline(admin.TabularInline):
    model = LoanRequest
    extra = 0


class ExamInline(admin.TabularInline):
    model = Exam
    extra = 0
    fields = ["component", "exempted", "status_display", "attempts_count"]
    readonly_fields = ["status_display", "attempts_count"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("attempts")

    @admin.display(description="status")
    def status_display(self, obj):
        return obj.get_status_display() if obj.pk else "-"

    @admin.display(description="pogingen")
    def attempts_count(self, obj):
        return len(obj.attempts.all()) if obj.pk else 0


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["institution"]


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    autocomplete_fields = ["institution"]
    show_change_link = True


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    fields = [
        "number",
        "contract",
        "invoice_date",
        "status",
        "course_amount",
        "materials_amount",
        "exam_amount",
        "total_amount",
        "rejection_reason",
    ]
    readonly_fields = ["total_amount"]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract":
            person_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Contract.objects.filter(person_id=person_id) if person_id else Contract.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_names", "birth_date", "municipality", "obligation_status", "term_end"]
    list_filter = ["obligation_status", "law", "municipality"]
    search_fields = ["=bsn", "last_name", "first_names"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["public_id"]
    show_full_result_count = False
    fieldsets = [
        ("Persoon", {"fields": ["public_id", "bsn", "first_names", "prefix", "last_name", "gender", "birth_date"]}),
        ("Adres", {"fields": ["street", "house_number", "house_number_addition", "postcode", "city", "municipality"]}),
        (
            "Inburgering",
            {
                "fields": [
                    "law",
                    "obligation_status",
                    "term_start",
                    "term_end",
                    "culpable_overrun",
                    "lesson_hours_integration",
                    "lesson_hours_literacy",
                ]
            },
        ),
    ]
    inlines = [
        LoanInline,
        LoanRequestInline,
        TermExtensionInline,
        ExamInline,
        EnrolmentInline,
        ContractInline,
        InvoiceInline,
    ]


class ExamAttemptInline(admin.TabularInline):
    model = ExamAttempt
    extra = 0


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["person", "component", "exempted"]
    list_filter = ["component", "exempted"]
    search_fields = ["=person__bsn", "person__last_name"]
    raw_id_fields = ["person"]
    inlines = [ExamAttemptInline]


@admin.register(ExamAttempt)
class ExamAttemptAdmin(admin.ModelAdmin):
    list_display = ["exam", "number", "date", "result"]
    raw_id_fields = ["exam"]
    list_select_related = ["exam"]


@admin.register(TermExtension)
class TermExtensionAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "previous_end", "new_end"]
    search_fields = ["=person__bsn", "person__last_name"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ["person", "limit", "start_date", "end_date", "interest"]
    search_fields = ["=person__bsn", "person__last_name"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(LoanRequest)
class LoanRequestAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "received_on", "status"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["person", "course", "institution", "end_date"]
    raw_id_fields = ["person"]
    autocomplete_fields = ["institution"]
    list_select_related = ["person", "institution"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "person", "course", "institution", "start_date", "end_date", "total_amount"]
    search_fields = ["number", "=person__bsn"]
    raw_id_fields = ["person"]
    autocomplete_fields = ["institution"]
    list_select_related = ["person", "institution"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "person", "invoice_date", "status", "total_amount"]
    list_filter = ["status"]
    search_fields = ["number", "=person__bsn"]
    raw_id_fields = ["person", "contract"]
    list_select_related = ["person"]


@admin.register(Authorisation)
class AuthorisationAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]
    list_select_related = ["user", "municipality"]


@admin.register(ReadLogEntry)
class ReadLogEntryAdmin(admin.ModelAdmin):
    """Append-only: DUO admins search and read, nobody adds, changes or deletes."""

    list_display = ["at", "user", "municipality", "role", "screen", "person", "result"]
    list_filter = ["screen", "result", "role"]
    search_fields = ["user__username", "municipality__name", "screen"]
    list_select_related = ["user", "municipality", "person"]
    date_hierarchy = "at"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_valid_bsn(term):
            return queryset.filter(bsn_hash=bsn_hash(term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
