from django.contrib import admin

from .models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """Editors maintain the synonym table here; saving takes effect at once (cache dropped)."""

    list_display = ("terms", "note", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("terms", "note")
