from django.contrib import admin

from .models import Channel, ChannelDay


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Rate limits and the active switch are edited here; registering goes through
    ``manage.py register_channel`` (the secret is shown once there)."""

    list_display = ("code", "name", "kind", "rate_per_minute", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "operator")
    readonly_fields = ("code", "application", "created_at", "created_by")
    fields = (
        "code",
        "name",
        "kind",
        "application",
        "operator",
        "contact",
        "rate_per_minute",
        "is_active",
        "created_at",
        "created_by",
    )

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        from .services import registry

        if change and "is_active" in form.changed_data:
            registry.set_active(obj, obj.is_active, by=request.user)
            form.changed_data.remove("is_active")
        super().save_model(request, obj, form, change)


@admin.register(ChannelDay)
class ChannelDayAdmin(admin.ModelAdmin):
    list_display = ("channel", "day", "requests", "errors", "throttled")
    list_filter = ("channel",)
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
