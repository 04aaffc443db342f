from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Department, Hall, Region, StaffPost


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]
    list_per_page = 100


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "hotline", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__code", "region__name")
    autocomplete_fields = ["region"]
    list_select_related = ("region",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "credit_code", "region", "kind", "is_active")
    list_filter = ("kind", "region__level", "is_active")
    search_fields = ("name", "short_name", "credit_code", "region__name", "region__code")
    autocomplete_fields = ["region"]
    list_select_related = ("region",)


@admin.register(StaffPost)
class StaffPostAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "post", "is_active")
    list_filter = ("post", "is_active", "department__region__level")
    search_fields = ("user__username", "user__display_name", "department__name")
    autocomplete_fields = ["user", "department"]
    list_select_related = ("user", "department")


admin.site.site_header = _("网上办事大厅 管理后台")
admin.site.site_title = _("网上办事大厅")
admin.site.index_title = _("系统管理")
