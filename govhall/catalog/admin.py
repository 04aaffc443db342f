"""Admin views of the catalogue for superusers: read-only for items and versions.

Items and versions change only through the editorial workflow (the catalogue desk and
the API), which checks scope, the four-eyes rule and the consistency rules; the admin
therefore shows them without edit rights. Themes and life events are reference lists
an administrator may correct here (audited like every save).
"""

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin, ReadOnlyMixin

from .models import (
    BasicItem,
    Bundle,
    BundleMember,
    ChangeRecord,
    Item,
    ItemVersion,
    LifeEvent,
    Scenario,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "sort_order"]
    list_filter = ["audience"]
    search_fields = ["code", "name"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "sort_order"]
    list_filter = ["audience"]
    filter_horizontal = ["themes"]
    exclude = ["items"]


@admin.register(BasicItem)
class BasicItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "item_type"]
    search_fields = ["code", "name"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["implementation_code", "name", "department", "status", "confirmed_at"]
    list_filter = ["status", "item_type", "exercise_level"]
    search_fields = ["implementation_code", "name"]
    list_select_related = ["department"]


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdmin):
    list_display = ["item", "number", "state", "change_type", "published_at"]
    list_filter = ["state", "change_type"]
    search_fields = ["name", "item__implementation_code"]
    list_select_related = ["item"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "item", "change_type", "summary"]
    list_filter = ["change_type"]


class BundleMemberInline(ReadOnlyMixin, admin.TabularInline):
    model = BundleMember
    extra = 0
    raw_id_fields = ["item"]


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region", "is_published"]
    inlines = [BundleMemberInline]


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "life_event", "region", "is_published"]
