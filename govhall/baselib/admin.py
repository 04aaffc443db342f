from django.contrib import admin

from .models import AttributeDefinition, Conflict, ThemeLibrary, UpdateBatch


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    """The attribute catalogue is data: an administrator adds attributes or moves one to
    another owner here (values already stored keep their recorded source)."""

    list_display = ("code", "name", "library", "owner", "value_type", "is_active")
    list_filter = ("library", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("owner",)


@admin.register(ThemeLibrary)
class ThemeLibraryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "library", "count", "counted_at", "is_active")
    list_filter = ("library", "is_active")
    readonly_fields = ("count", "counted_at")


@admin.register(UpdateBatch)
class UpdateBatchAdmin(admin.ModelAdmin):
    list_display = ("received_at", "client", "records", "applied", "unchanged", "refused")
    readonly_fields = [f.name for f in UpdateBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    """Read-only: the owner department decides on the workbench."""

    list_display = ("subject_label", "owner", "kind", "status", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in Conflict._meta.fields]

    def has_add_permission(self, request):
        return False
