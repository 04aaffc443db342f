from django.contrib import admin

from .models import Complaint, Rule, ScoringRule, Warning
from .services import rules


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Saving a change adds a new version (for the region entered) instead of editing the
    old one, which stays attached to the warnings it raised."""

    list_display = ("code", "region_code", "version", "name", "card", "category", "is_active")
    list_filter = ("card", "category", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("version", "pattern", "category", "clock", "created_at", "created_by")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user.get_username()
            return super().save_model(request, obj, form, change)
        original = Rule.objects.get(pk=obj.pk)
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in rules.EDITABLE_FIELDS
        }
        new = rules.revise(
            original,
            request.user,
            region_code=form.cleaned_data.get("region_code", original.region_code),
            **changes,
        )
        obj.pk, obj.version = new.pk, new.version


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    list_display = ("indicator", "region_code", "version", "weight", "kind", "is_active")
    list_filter = ("indicator", "kind", "is_active")


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
