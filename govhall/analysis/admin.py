"""Read-only admin views of the export progress and the next-item table, for operators."""

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin

from .models import ExportState, NextItem


@admin.register(ExportState)
class ExportStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_record_pk", "last_updated_at", "rows", "exported_at"]


@admin.register(NextItem)
class NextItemAdmin(ReadOnlyAdmin):
    list_display = ["from_name", "to_name", "applicants", "base", "share", "built_at"]
    search_fields = ["from_code", "to_code", "from_name", "to_name"]
