"""Django admin for letters and bundles: view-only (the weekly run makes them); PDFs open through
staff-only download views."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from pib.admin_base import ReadOnlyAdmin

from . import views
from .models import Dispatch, Letter, LetterBundle


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["reference", "municipality", "letter_date", "render_status", "render_attempts", "pdf_link"]
    list_filter = ["render_status", "dispatch"]
    search_fields = ["reference", "municipality__name"]
    list_select_related = ["municipality"]
    # ``pdf`` itself is left out: Django would link it to MEDIA_URL, which is not served.
    fields = [
        "person",
        "municipality",
        "dispatch",
        "letter_date",
        "reference",
        "matched_rule",
        "render_status",
        "render_attempts",
        "render_error",
        "pdf_link",
        "pdf_sha256",
        "snapshot",
        "created_at",
    ]
    readonly_fields = fields

    def get_urls(self):
        return [
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(lambda request, object_id: views.letter_pdf(request, self, object_id)),
                name="letters_letter_pdf",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if not obj.pdf:
            return "–"
        return format_html('<a href="{}">PDF openen</a>', reverse("admin:letters_letter_pdf", args=[obj.pk]))


@admin.register(LetterBundle)
class LetterBundleAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "dispatch", "letters_count", "pdf_link", "pdf_sha256"]
    list_filter = ["dispatch"]
    list_select_related = ["municipality", "dispatch"]
    search_fields = ["municipality__name"]
    fields = ["dispatch", "municipality", "letters_count", "pdf_link", "pdf_sha256", "created_at"]
    readonly_fields = fields

    def get_urls(self):
        return [
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(lambda request, object_id: views.bundle_pdf(request, self, object_id)),
                name="letters_letterbundle_pdf",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if not obj.pdf:
            return "–"
        return format_html('<a href="{}">PDF openen</a>', reverse("admin:letters_letterbundle_pdf", args=[obj.pk]))


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ["date", "created_at"]
    fields = ["date", "created_at"]
    readonly_fields = fields
