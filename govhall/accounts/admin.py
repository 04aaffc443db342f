from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from govhall.regions.models import StaffPost

from .models import User


class StaffPostInline(admin.TabularInline):
    model = StaffPost
    extra = 0
    autocomplete_fields = ["department"]
    verbose_name = _("岗位")
    verbose_name_plural = _("岗位（部门与职责范围）")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("显示"), {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "is_staff", "is_active", "last_login")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    inlines = [StaffPostInline]
