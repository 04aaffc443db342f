"""Read-mostly admin views: knowledge entries are written through the workbench's
knowledge desk (workflow and scope), so the admin only lists what exists."""

from django.contrib import admin

from .models import Clause, Consultation, KnowledgeEntry, QueuedQuestion


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ("implementation_code", "version_number", "key", "is_current")
    list_filter = ("section", "is_current")
    search_fields = ("implementation_code", "text")
    readonly_fields = [f.name for f in Clause._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "region", "department", "state", "revision", "published_at")
    list_filter = ("state",)
    search_fields = ("question", "answer")
    readonly_fields = [f.name for f in KnowledgeEntry._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(QueuedQuestion)
class QueuedQuestionAdmin(admin.ModelAdmin):
    list_display = ("question", "count", "reason", "state", "department", "region")
    list_filter = ("state", "reason")
    readonly_fields = [f.name for f in QueuedQuestion._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("question", "department", "kind", "state", "created_at", "rating")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in Consultation._meta.fields]

    def has_add_permission(self, request):
        return False
