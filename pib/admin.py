"""Django admin for DUO administrators: the registry, accounts' roles and the read log.

The person and term-extension admins are registered by ``elip.admin``: their saves go through
``elip.services.registry`` so an admin edit emits the same signals (SS401–SS404) as any other way
of recording the change. The person admin's inlines are defined here.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission

from . import audit
from .admin_base import PortalModelAdmin, PrivateSearchMixin, ReadOnlyAdmin, RegistryHistoryAdmin
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
    QualityMarkLoss,
    ReadLogEntry,
    RoleChange,
    SsoIdentity,
)
from .readlog import bsn_hash_lookup
from .services import quality_mark_loss_record
from .validators import is_valid_bsn

admin.site.site_header = "DUO – beheer Portal Inburgering"
admin.site.site_title = "DUO-beheer"
admin.site.index_title = "Beheer"


@admin.register(Municipality)
class MunicipalityAdmin(PortalModelAdmin):
    list_display = ["code", "name", "province"]
    search_fields = ["code", "name"]
    list_filter = ["province"]


class QualityMarkLossInline(admin.TabularInline):
    """The institution's recorded losses of the mark, read only here: recorded on their own page."""

    model = QualityMarkLoss
    extra = 0
    can_delete = False
    fields = ["lost_on", "note", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Institution)
class InstitutionAdmin(PortalModelAdmin):
    list_display = ["name", "code", "creditor_city", "quality_mark"]
    search_fields = ["name", "code"]
    inlines = [QualityMarkLossInline]


@admin.register(QualityMarkLoss)
class QualityMarkLossAdmin(RegistryHistoryAdmin):
    """ "Verlies keurmerk": DUO records that an institution lost its Blik op Werk mark on a date. The
    municipalities of the ELIP persons enrolled there at or after that date see them flagged in the
    Werkvoorraad and a notice on the start screen. Saved through ``quality_mark_loss_record``, which
    also switches the institution's ``quality_mark`` off."""

    list_display = ["institution", "lost_on", "note", "recorded_at"]
    list_filter = ["lost_on"]
    search_fields = ["institution__name", "institution__code"]
    autocomplete_fields = ["institution"]
    list_select_related = ["institution"]
    fields = ["institution", "lost_on", "note"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = quality_mark_loss_record(
            institution=data["institution"], lost_on=data["lost_on"], note=data.get("note", ""), instance=obj
        )
        obj.pk = saved.pk


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


class ExamAttemptInline(admin.TabularInline):
    model = ExamAttempt
    extra = 0


@admin.register(Exam)
class ExamAdmin(RegistryHistoryAdmin):
    list_display = ["person", "component", "exempted"]
    list_filter = ["component", "exempted"]
    search_fields = ["=person__bsn", "person__last_name"]
    raw_id_fields = ["person"]
    inlines = [ExamAttemptInline]


@admin.register(ExamAttempt)
class ExamAttemptAdmin(RegistryHistoryAdmin):
    list_display = ["exam", "number", "date", "result"]
    raw_id_fields = ["exam"]
    list_select_related = ["exam"]


@admin.register(Loan)
class LoanAdmin(RegistryHistoryAdmin):
    list_display = ["person", "limit", "start_date", "end_date", "interest"]
    search_fields = ["=person__bsn", "person__last_name"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(LoanRequest)
class LoanRequestAdmin(PortalModelAdmin):
    list_display = ["person", "kind", "received_on", "status"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(Enrolment)
class EnrolmentAdmin(PortalModelAdmin):
    list_display = ["person", "course", "institution", "end_date"]
    raw_id_fields = ["person"]
    autocomplete_fields = ["institution"]
    list_select_related = ["person", "institution"]


@admin.register(Contract)
class ContractAdmin(RegistryHistoryAdmin):
    list_display = ["number", "person", "course", "institution", "start_date", "end_date", "total_amount"]
    search_fields = ["number", "=person__bsn"]
    raw_id_fields = ["person"]
    autocomplete_fields = ["institution"]
    list_select_related = ["person", "institution"]


@admin.register(Invoice)
class InvoiceAdmin(RegistryHistoryAdmin):
    list_display = ["number", "person", "invoice_date", "status", "total_amount"]
    list_filter = ["status"]
    search_fields = ["number", "=person__bsn"]
    raw_id_fields = ["person", "contract"]
    list_select_related = ["person"]


@admin.register(Authorisation)
class AuthorisationAdmin(PortalModelAdmin):
    """Granting, changing or removing an account role writes who, what and when (``RoleChange``)."""

    list_display = ["user", "municipality", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]
    list_select_related = ["user", "municipality"]

    @staticmethod
    def _what(obj):
        return f"{obj.get_role_display()} – {obj.municipality}"

    def save_model(self, request, obj, form, change):
        if change:
            before = Authorisation.objects.select_related("municipality").get(pk=obj.pk)
            audit.record(
                actor=request.user, user=before.user, kind="accountrol", granted=False, what=self._what(before)
            )
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, user=obj.user, kind="accountrol", granted=True, what=self._what(obj))

    def delete_model(self, request, obj):
        audit.record(actor=request.user, user=obj.user, kind="accountrol", granted=False, what=self._what(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user", "municipality"):
            audit.record(actor=request.user, user=obj.user, kind="accountrol", granted=False, what=self._what(obj))
        super().delete_queryset(request, queryset)


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Who granted or removed which role, when: written by the admin, never edited."""

    list_display = ["at", "actor", "user", "kind", "action", "what"]
    list_filter = ["kind", "action"]
    search_fields = ["user__username", "actor__username", "what"]
    list_select_related = ["actor", "user"]
    date_hierarchy = "at"


@admin.register(ReadLogEntry)
class ReadLogEntryAdmin(ReadOnlyAdmin):
    """Append-only: DUO admins search and read, nobody adds, changes or deletes."""

    list_display = ["at", "user", "municipality", "role", "screen", "person", "result"]
    list_filter = ["screen", "result", "role"]
    search_fields = ["user__username", "municipality__name", "screen"]
    list_select_related = ["user", "municipality", "person"]
    date_hierarchy = "at"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_valid_bsn(term):
            return queryset.filter(bsn_hash_lookup(term)), False
        return super().get_search_results(request, queryset, search_term)


# Django's own user and group admins get the same private search (user names are personal data too).
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class PortalUserAdmin(PrivateSearchMixin, UserAdmin):
    """No escalation: a DUO admin who is not a superuser cannot make anyone (itself included) a
    superuser, can grant only permissions it holds itself and only groups whose permissions it
    holds, and cannot change a superuser (or its password). Permissions and groups outside the
    editor's reach that the user already has are kept, not silently removed. Every change of
    superuser or staff status, groups or permissions writes ``RoleChange`` rows."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    @staticmethod
    def _outranks(request, obj) -> bool:
        """``obj`` holds more than the editor (superuser, or a permission the editor lacks): the
        editor may not change it, nor set its password and sign in as it."""
        if obj is None or request.user.is_superuser:
            return False
        return obj.is_superuser or not obj.get_all_permissions() <= request.user.get_all_permissions()

    def has_change_permission(self, request, obj=None):
        return not self._outranks(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._outranks(request, obj) and super().has_delete_permission(request, obj)

    @staticmethod
    def _grantable_permissions(request):
        if request.user.is_superuser:
            return Permission.objects.all()
        held = request.user.get_all_permissions()
        ids = [
            pk
            for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
            if f"{app_label}.{codename}" in held
        ]
        return Permission.objects.filter(pk__in=ids)

    def _grantable_groups(self, request):
        if request.user.is_superuser:
            return Group.objects.all()
        outside = Permission.objects.exclude(pk__in=self._grantable_permissions(request).values("pk"))
        return Group.objects.exclude(permissions__in=outside)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "user_permissions":
            kwargs["queryset"] = self._grantable_permissions(request).select_related("content_type")
        elif db_field.name == "groups":
            kwargs["queryset"] = self._grantable_groups(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        before = get_user_model().objects.filter(pk=obj.pk).values("is_superuser", "is_staff").first() or {}
        if not request.user.is_superuser:
            obj.is_superuser = before.get("is_superuser", False)
        super().save_model(request, obj, form, change)
        for field, label in (("is_superuser", "superuser"), ("is_staff", "beheertoegang (staf)")):
            if bool(before.get(field, False)) != bool(getattr(obj, field)):
                audit.record(actor=request.user, user=obj, kind="status", granted=getattr(obj, field), what=label)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        groups_before = set(user.groups.all()) if change else set()
        perms_before = set(user.user_permissions.select_related("content_type")) if change else set()
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser and change:
            # Keep what the editor could not see or grant (it was not offered in the form).
            offered = set(form.fields["groups"].queryset) if "groups" in form.fields else groups_before
            user.groups.add(*(g for g in groups_before if g not in offered))
            grantable = set(self._grantable_permissions(request))
            user.user_permissions.add(*(p for p in perms_before if p not in grantable))
        audit.record_set_change(
            actor=request.user, user=user, kind="groep", before=groups_before, after=set(user.groups.all())
        )
        audit.record_set_change(
            actor=request.user,
            user=user,
            kind="recht",
            before=perms_before,
            after=set(user.user_permissions.select_related("content_type")),
        )


@admin.register(SsoIdentity)
class SsoIdentityAdmin(ReadOnlyAdmin):
    """Which account is linked to which single-sign-on identity (made when the colleague activates the
    account through "Inloggen via uw organisatie"; docs/mijn-duo-beheer.md)."""

    list_display = ["user", "issuer", "subject", "linked_at"]
    search_fields = ["user__username"]
