from django.contrib import admin

from .models import OpenDataset


@admin.register(OpenDataset)
class OpenDatasetAdmin(admin.ModelAdmin):
    """Read-only: datasets are declared in code and published by the scheduler."""

    list_display = ("key", "title", "status", "updated_at", "row_count", "checked_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in OpenDataset._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
