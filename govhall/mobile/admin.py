from django.contrib import admin

from .models import EntryAlert, MobileEntry, ProbeResult


@admin.register(MobileEntry)
class MobileEntryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "path", "channel", "is_active", "builtin")
    list_filter = ("kind", "is_active", "builtin")
    search_fields = ("code", "name", "path", "channel")
    raw_id_fields = ("item",)


@admin.register(ProbeResult)
class ProbeResultAdmin(admin.ModelAdmin):
    list_display = ("entry", "checked_at", "ok", "status_code", "elapsed_ms", "error")
    list_filter = ("ok",)
    date_hierarchy = "checked_at"


@admin.register(EntryAlert)
class EntryAlertAdmin(admin.ModelAdmin):
    list_display = ("entry", "opened_at", "closed_at", "message")
