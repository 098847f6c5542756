"""Django admin for DUO administrators: ELIP criteria, enrolments, runs — and the registry's person
and term-extension admins, whose saves go through ``elip.services.registry`` so an admin edit emits
the same signals (SS401–SS404) as any other way of recording the change (the models live in
``pib``; the rule "who is an ELIP person, which signal follows" lives here)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from pib.admin import (
    ContractInline,
    EnrolmentInline,
    ExamInline,
    InvoiceInline,
    LoanInline,
    LoanRequestInline,
)
from pib.admin_base import PortalModelAdmin, ReadOnlyAdmin, RegistryHistoryAdmin
from pib.models import Person, TermExtension

from .constants import PolicyStatus
from .models import (
    ComparisonEntry,
    DigestDelivery,
    DigestSubscription,
    ElipEnrolment,
    ElipEnrolmentChange,
    PolicyVersion,
    PolicyVersionEvent,
    QualityMarkAcknowledgement,
    RunMunicipality,
    SelectionRun,
)
from .services.policy import (
    EDITABLE_FIELDS,
    PolicyError,
    check_valid_from,
    policy_draft_create,
    policy_draft_delete,
    policy_draft_update,
    policy_used_by_run,
)
from .services.registry import person_create, person_update, term_extension_add, term_extension_update


class PolicyVersionForm(forms.ModelForm):
    """The checks of ``elip.services.policy`` as form errors (a date ahead, no clash, 0–100%)."""

    class Meta:
        model = PolicyVersion
        fields = list(EDITABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        valid_from = cleaned.get("valid_from")
        if valid_from and "valid_from" in self.changed_data:
            try:
                check_valid_from(valid_from, version=self.instance, today=timezone.localdate())
            except PolicyError as error:
                self.add_error("valid_from", str(error))
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(PortalModelAdmin):
    """DUO admins draft a version here (status concept) to change the criteria from a date on; it takes
    force only after a second DUO admin approves it in the control room (four eyes,
    ``elip.services.policy``: every save goes through it and is logged). An approved version, or one a
    run used, is read-only and cannot be deleted, so the record of why a letter was sent never changes."""

    form = PolicyVersionForm
    list_display = ["valid_from", "status", "months_before_term_end", "term_rule_percentage", "loan_rule_percentage",
                    "drafted_by", "approved_by", "note"]  # fmt: skip
    list_filter = ["status"]
    fields = [*EDITABLE_FIELDS, "status", "drafted_by", "drafted_at", "approved_by", "approved_at", "what_if"]
    actions = None  # no bulk delete: a draft is deleted one by one, through the service (logged)

    def _locked(self, obj):
        return obj is not None and (obj.status != PolicyStatus.DRAFT or policy_used_by_run(obj))

    def get_readonly_fields(self, request, obj=None):
        audit = ["status", "drafted_by", "drafted_at", "approved_by", "approved_at", "what_if"]
        return self.fields if self._locked(obj) else audit

    @admin.display(description="effect en goedkeuring")
    def what_if(self, obj):
        """Drafts: a link to the control room's what-if, where a second admin approves (URL by name:
        the control room is the app above this one)."""
        if obj is None or obj.pk is None or obj.status != PolicyStatus.DRAFT:
            return "–"
        return format_html(
            '<a href="{}">Wat-als en goedkeuren in de controlekamer</a>',
            reverse("controlroom:policy_whatif", kwargs={"version": obj.pk}),
        )

    def has_change_permission(self, request, obj=None):
        """A locked version opens as a view page; a POST to change it answers 403."""
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            saved = policy_draft_update(
                version=obj, user=request.user, **{name: data[name] for name in form.changed_data if name in data}
            )
        else:
            saved = policy_draft_create(user=request.user, **data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        policy_draft_delete(version=obj, user=request.user)


@admin.register(PolicyVersionEvent)
class PolicyVersionEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "description", "user"]
    list_filter = ["action"]
    search_fields = ["description", "user__username"]
    list_select_related = ["user"]


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


# --- Registry admins whose saves emit ELIP signals -----------------------------------------


class TermExtensionInlineForm(forms.ModelForm):
    """A new extension starts at the person's current term end (set by ``term_extension_add``)."""

    class Meta:
        model = TermExtension
        fields = ["kind", "new_end", "granted_on"]

    def clean(self):
        cleaned = super().clean()
        new_end = cleaned.get("new_end")
        person = cleaned.get("person")
        person_id = person.pk if person else self.instance.person_id
        if new_end and person_id and self.instance.pk is None:
            term_end = Person.objects.filter(pk=person_id).values_list("term_end", flat=True).first()
            if term_end and new_end <= term_end:
                self.add_error(
                    "new_end",
                    f"De nieuwe einddatum moet na de huidige einddatum ({term_end:%d-%m-%Y}) liggen.",
                )
        return cleaned


class TermExtensionInline(admin.TabularInline):
    """Adding an extension goes through ``term_extension_add`` (→ Person.term_end, SS401)."""

    model = TermExtension
    form = TermExtensionInlineForm
    extra = 0
    can_delete = False
    fields = ["kind", "previous_end", "new_end", "granted_on"]
    readonly_fields = ["previous_end"]


@admin.register(Person)
class PersonAdmin(RegistryHistoryAdmin):
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

    def save_model(self, request, obj, form, change):
        """Through the registry services: a change of municipality, term end or obligation
        status emits its signal exactly as ``elip.services.registry.person_update`` does elsewhere."""
        if not change:
            person_create(instance=obj)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        person_update(person=obj, **changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TermExtension:
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not hasattr(inline_form, "cleaned_data"):
                continue
            data = inline_form.cleaned_data
            if inline_form.instance.pk is None:
                term_extension_add(
                    person=form.instance, kind=data["kind"], new_end=data["new_end"], granted_on=data["granted_on"]
                )
            else:
                term_extension_update(
                    extension=inline_form.instance,
                    **{name: data[name] for name in inline_form.changed_data if name in data},
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(TermExtension)
class TermExtensionAdmin(RegistryHistoryAdmin):
    """Adds and corrections go through the services (→ Person.term_end, SS401); the previous
    end is the person's term end at the time of granting, set by the service."""

    list_display = ["person", "kind", "previous_end", "new_end"]
    search_fields = ["=person__bsn", "person__last_name"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]
    form = TermExtensionInlineForm
    fields = ["person", "kind", "previous_end", "new_end", "granted_on"]
    readonly_fields = ["previous_end"]

    def get_readonly_fields(self, request, obj=None):
        return ["person", "previous_end"] if obj else ["previous_end"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = term_extension_update(
                extension=obj, **{name: data[name] for name in form.changed_data if name in data}
            )
        else:
            saved = term_extension_add(
                person=data["person"], kind=data["kind"], new_end=data["new_end"], granted_on=data["granted_on"]
            )
        obj.pk, obj.previous_end = saved.pk, saved.previous_end

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ComparisonEntry)
class ComparisonEntryAdmin(ReadOnlyAdmin):
    """Written by the weekly run only (the comparison group of the letter figures, docs/figures.md)."""

    list_display = ["selected_on", "municipality", "run"]
    list_filter = ["selected_on"]
    search_fields = ["municipality__name"]
    list_select_related = ["municipality", "run"]
    raw_id_fields = ["person"]


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyAdmin):
    """Who switched the weekly e-mail digest on or off, when and where (users do it themselves)."""

    list_display = ["user", "active", "changed_at", "changed_via"]
    list_filter = ["active", "changed_via"]
    search_fields = ["user__username"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    """Which digest went to whom (one per run and user); the mail itself holds counts only."""

    list_display = ["run", "user", "sent_at", "municipalities"]
    search_fields = ["user__username"]


@admin.register(QualityMarkAcknowledgement)
class QualityMarkAcknowledgementAdmin(ReadOnlyAdmin):
    """Which municipality acknowledged the notice about a lost quality mark, who and when (the portal
    writes these; docs/quality-mark-notice.md)."""

    list_display = ["loss", "municipality", "acknowledged_by", "acknowledged_at", "persons_count"]
    list_filter = ["acknowledged_at"]
    search_fields = ["municipality__name", "loss__institution__name"]
    list_select_related = ["loss__institution", "municipality", "acknowledged_by"]
