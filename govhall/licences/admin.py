"""Admin views of the licences app, for operators. Licences, versions, keys and uses are
read-only (every change is a signed version made by ``services.issuing``); holder codes
are masked and private keys are never shown. Licence types may be edited here too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govhall.core.admin import ReadOnlyAdmin

from .models import IssuerKey, Licence, LicenceType, LicenceUse, LicenceVersion
from .services import catalogue


class LicenceTypeAdminForm(forms.ModelForm):
    """The same rules for 照面信息项 as the workbench editor."""

    class Meta:
        model = LicenceType
        fields = [
            "code",
            "name",
            "defining_body",
            "defining_body_code",
            "holder_kind",
            "fields",
            "validity_years",
            "number_prefix",
            "template",
            "issuing_departments",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        try:
            data["fields"] = catalogue.clean_fields(data.get("fields"))
        except ValidationError as error:
            self.add_error("fields", error.message_dict.get("fields", error.messages))
        return data


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    form = LicenceTypeAdminForm
    list_display = ["name", "code", "defining_body", "holder_kind", "validity_years", "is_active"]
    list_filter = ["holder_kind", "is_active"]
    search_fields = ["name", "code", "defining_body"]
    filter_horizontal = ["issuing_departments"]


class LicenceVersionInline(admin.TabularInline):
    model = LicenceVersion
    fields = ["version", "kind", "identifier", "reason", "valid_until", "issued_at", "key"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["number", "type", "holder_name", "issuer", "state", "created_at"]
    list_filter = ["state", "holder_kind", "digitised"]
    search_fields = ["number", "holder_name"]
    list_select_related = ["type", "issuer"]
    fields = [
        "type",
        "issuer",
        "serial",
        "number",
        "holder_kind",
        "holder_name",
        "masked_code",
        "holder_code_type",
        "jurisdiction_code",
        "case",
        "item_code",
        "current",
        "state",
        "digitised",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [LicenceVersionInline]
    show_full_result_count = False

    @admin.display(description=_("持证主体代码（脱敏）"))
    def masked_code(self, licence: Licence) -> str:
        return licence.masked_holder_code


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "department", "created_at", "retired_at"]
    list_filter = [("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["key_id", "department__name"]
    list_select_related = ["department"]
    # The encrypted private keys are not listed here at all.
    fields = ["key_id", "department", "sm2_public_key", "certificate", "created_at", "retired_at"]
    readonly_fields = fields


@admin.register(LicenceUse)
class LicenceUseAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "kind", "at", "department", "user", "case"]
    list_filter = ["kind"]
    search_fields = ["identifier"]
    list_select_related = ["department", "user", "case"]
    fields = ["licence", "identifier", "kind", "at", "user", "department", "case", "purpose"]
    readonly_fields = fields
    show_full_result_count = False
