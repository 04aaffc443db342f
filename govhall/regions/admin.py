"""Admin screens of §1, scoped for hall administrators.

A superuser sees everything. Any other staff user sees regions, halls, departments and
staff posts only inside the region subtrees of their active ``hall_admin`` posts
(``scope_of(user).prefixes_of(Post.HALL_ADMIN)``). Lists, change forms, autocomplete
results and foreign-key choices are all filtered, so a hand-made URL or POST cannot
reach outside the subtree either. Model permissions come from the "大厅管理员" group
(``services.admin_access``). Every save is audited by the signals registered in
``apps.RegionsConfig``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Department, Hall, Level, Post, Region, StaffPost
from .services import loading
from .services.scope import scope_of


def admin_prefixes(request) -> frozenset[str] | None:
    """Region-code prefixes the user administers; ``None`` means unrestricted."""
    if request.user.is_superuser:
        return None
    return scope_of(request.user).prefixes_of(Post.HALL_ADMIN)


def within(queryset: QuerySet, prefixes: frozenset[str] | None, code_path: str) -> QuerySet:
    """Rows whose region code (reached through ``code_path``) lies under one of the prefixes."""
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    condition = Q()
    for prefix in sorted(prefixes):
        condition |= Q(**{f"{code_path}__startswith": prefix})
    return queryset.filter(condition)


class CityListFilter(admin.SimpleListFilter):
    """Filter by prefecture-level city (地级市); a hall administrator sees only their own."""

    title = _("地级市")
    parameter_name = "city"

    def __init__(self, request, params, model, model_admin):
        self.code_path = model_admin.region_code_path
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        cities = within(Region.objects.filter(level=Level.CITY), admin_prefixes(request), "code")
        return [(city.code, city.name) for city in cities.order_by("code")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not (value.isdigit() and len(value) == 6):
            return queryset.none()
        return queryset.filter(**{f"{self.code_path}__startswith": value[:4]})


class RegionScopedAdmin(admin.ModelAdmin):
    """Restricts every view of a model to the administered region subtrees."""

    # Lookup path from this model to the region code that decides the scope.
    region_code_path = "region__code"

    def region_code_of(self, obj) -> str:
        return obj.region_id

    def _in_scope(self, request, obj=None) -> bool:
        prefixes = admin_prefixes(request)
        if prefixes is None:
            return True
        if obj is None:
            return bool(prefixes)
        code = self.region_code_of(obj) or ""
        return any(code.startswith(prefix) for prefix in prefixes)

    def get_queryset(self, request):
        return within(super().get_queryset(request), admin_prefixes(request), self.region_code_path)

    def has_module_permission(self, request):
        return self._in_scope(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._in_scope(request, obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._in_scope(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._in_scope(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._in_scope(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        prefixes = admin_prefixes(request)
        if prefixes is not None:
            if db_field.related_model is Region:
                kwargs["queryset"] = within(Region.objects.all(), prefixes, "code")
            elif db_field.related_model is Department:
                kwargs["queryset"] = within(
                    Department.objects.select_related("region"), prefixes, "region__code"
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(RegionScopedAdmin):
    """GB/T 2260 divisions. Hall administrators may only look (and pick them in forms)."""

    region_code_path = "code"
    list_display = ("code", "name", "level", "parent", "hall_link")
    list_filter = ("level", CityListFilter)
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]
    list_select_related = ("parent", "hall")
    list_per_page = 100
    ordering = ("code",)

    def region_code_of(self, obj) -> str:
        return obj.code

    def save_model(self, request, obj, form, change):
        """A new region opens its hall at once, so the portal can link to it."""
        super().save_model(request, obj, form, change)
        if not change:
            loading.open_hall(obj)

    @admin.display(description=_("办事大厅"))
    def hall_link(self, obj):
        hall = getattr(obj, "hall", None)
        if hall is None:
            return "—"
        return format_html('<a href="{}">{}</a>', hall.get_absolute_url(), hall.name)


@admin.register(Hall)
class HallAdmin(RegionScopedAdmin):
    list_display = ("name", "kind", "region", "hotline", "opening_hours", "is_active")
    list_filter = ("kind", "is_active", "region__level", CityListFilter)
    search_fields = ("name", "region__code", "region__name", "address")
    autocomplete_fields = ["region"]
    list_select_related = ("region",)
    fieldsets = (
        (None, {"fields": ("region", "kind", "name", "is_active")}),
        (_("实体大厅"), {"fields": ("address", "hotline", "opening_hours")}),
    )

    def get_readonly_fields(self, request, obj=None):
        """A hall belongs to its region for good; move nothing, just edit the details."""
        return ("region", "kind") if obj is not None else ()


@admin.register(Department)
class DepartmentAdmin(RegionScopedAdmin):
    list_display = (
        "name",
        "short_name",
        "credit_code",
        "region",
        "kind",
        "post_count",
        "is_active",
        "abolished_on",
    )
    list_filter = ("kind", "region__level", "is_active", CityListFilter)
    search_fields = ("name", "short_name", "credit_code", "region__name", "region__code")
    autocomplete_fields = ["region", "successor"]
    list_select_related = ("region",)
    fieldsets = (
        (None, {"fields": ("region", "name", "short_name", "credit_code", "kind")}),
        (_("联系与显示"), {"fields": ("phone", "sort_order", "is_active")}),
        (_("设立与撤销"), {"fields": ("established_on", "abolished_on", "successor")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(active_posts=Count("staff_posts", filter=Q(staff_posts__is_active=True)))
        )

    @admin.display(description=_("在岗人员"), ordering="active_posts")
    def post_count(self, obj):
        url = reverse("admin:regions_staffpost_changelist") + f"?department={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.active_posts)


class StaffPostForm(forms.ModelForm):
    class Meta:
        model = StaffPost
        fields = ["user", "department", "post", "is_active"]

    def clean(self):
        cleaned = super().clean()
        user, department, post = (cleaned.get(k) for k in ("user", "department", "post"))
        if (
            user
            and department
            and post
            and self.instance._state.adding
            and StaffPost.objects.filter(user=user, department=department, post=post).exists()
        ):
            raise forms.ValidationError(_("该工作人员在这个部门已有此岗位。"), code="duplicate")
        return cleaned


@admin.register(StaffPost)
class StaffPostAdmin(RegionScopedAdmin):
    """Who holds which post where. A post is never moved: deactivate it and add a new one.

    Saving an active hall-administrator post opens the admin to its holder (``signals``).
    """

    form = StaffPostForm
    region_code_path = "department__region__code"
    list_display = ("user", "username", "department", "region", "post", "is_active", "created_at")
    list_filter = ("post", "is_active", "department__region__level", CityListFilter)
    search_fields = (
        "user__username",
        "user__display_name",
        "department__name",
        "department__credit_code",
    )
    list_select_related = ("user", "department__region")
    date_hierarchy = "created_at"

    def region_code_of(self, obj) -> str:
        return obj.department.region_id

    def get_autocomplete_fields(self, request):
        # Hall administrators may not browse the user list; they type a username instead.
        return ["user", "department"] if request.user.is_superuser else ["department"]

    def get_readonly_fields(self, request, obj=None):
        return ("user", "department", "post", "created_at") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            return forms.ModelChoiceField(
                queryset=get_user_model().objects.filter(is_active=True, is_superuser=False),
                to_field_name="username",
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                label=_("工作人员用户名"),
                help_text=_("填写工作人员的登录用户名（账号由系统管理员开设）。"),
                error_messages={
                    "invalid_choice": _("没有用户名为“%(value)s”的在用工作人员账号。"),
                    "required": _("请填写工作人员用户名。"),
                },
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("用户名"), ordering="user__username")
    def username(self, obj):
        return obj.user.username

    @admin.display(description=_("行政区划"), ordering="department__region__code")
    def region(self, obj):
        return obj.department.region.name


admin.site.site_header = _("网上办事大厅 管理后台")
admin.site.site_title = _("网上办事大厅")
admin.site.index_title = _("系统管理")
