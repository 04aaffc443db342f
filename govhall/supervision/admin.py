from django.contrib import admin

from .models import Complaint, Rule, Warning


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("code", "region_code", "version", "name", "card", "category", "is_active")
    list_filter = ("card", "category", "is_active")
    search_fields = ("code", "name")


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ("case_number", "rule_code", "card", "state", "region_code", "raised_at")
    list_filter = ("card", "state", "category")
    search_fields = ("case_number",)
    readonly_fields = [f.name for f in Warning._meta.fields]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "department", "state", "received_at", "due_date")
    list_filter = ("state", "subject")
    search_fields = ("number",)
    exclude = ("query_code_hash",)
