"""Read-only admin views of cases and their notifications, for operators (changes go through
the services, so the admin never edits a case)."""

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin

from .models import Case, CaseStep, Notification


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    fields = ["sequence", "name", "post", "department", "state", "due_date", "handler", "opinion"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item_name", "applicant_name", "department", "state", "submitted_at"]
    list_filter = ["state", "channel", "case_type"]
    search_fields = ["number", "item_name"]
    list_select_related = ["department"]
    exclude = ["applicant_key"]
    inlines = [CaseStepInline]
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "user", "case_number", "created_at", "read_at", "send_error"]
    search_fields = ["case_number"]
