from django.contrib import admin

from .models import Letter, LetterBundle


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["reference", "municipality", "letter_date", "render_status", "pdf"]
    list_filter = ["render_status", "run"]
    search_fields = ["reference", "municipality__name"]
    raw_id_fields = ["person"]
    list_select_related = ["municipality"]
    readonly_fields = ["pdf_sha256", "snapshot", "render_attempts", "render_error"]


@admin.register(LetterBundle)
class LetterBundleAdmin(admin.ModelAdmin):
    list_display = ["municipality", "run", "letters_count", "pdf", "pdf_sha256"]
    list_select_related = ["municipality", "run"]
    readonly_fields = ["pdf_sha256"]
