"""Admin: push rules and company profiles are entered here; the logs are read-only."""

from django.contrib import admin

from .models import (
    CompanyProfile,
    DataRead,
    DataReadDispute,
    Push,
    PushRule,
    Reminder,
    SpaceOpening,
)


@admin.register(PushRule)
class PushRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "audience", "is_active"]
    list_filter = ["kind", "audience", "is_active"]
    search_fields = ["code", "title"]


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    list_display = ["company", "industry", "company_type", "region_code", "established_on"]
    search_fields = ["company__name", "company__credit_code", "industry"]
    raw_id_fields = ["company"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "user", "due_date", "sms", "created_at"]
    list_filter = ["kind"]


@admin.register(Push)
class PushAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "user", "created_at", "opened_at"]
    list_filter = ["kind"]


@admin.register(DataRead)
class DataReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "source", "reader_department", "reader_name", "purpose", "case_number"]
    list_filter = ["source"]


@admin.register(DataReadDispute)
class DataReadDisputeAdmin(ReadOnlyAdmin):
    """Answered on the staff page (/workbench/spaces/disputes/), which tells the person."""

    list_display = ["read", "user", "state", "created_at", "answered_at"]
    list_filter = ["state"]


@admin.register(SpaceOpening)
class SpaceOpeningAdmin(ReadOnlyAdmin):
    list_display = ["kind", "city_code", "opened_at"]
    list_filter = ["kind", "city_code"]
