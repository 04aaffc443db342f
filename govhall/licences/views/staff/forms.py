"""Forms of the licence desk. They collect input and name the fields; the rules (a reason
is required, a renewal must end after today, metadata must fit the type...) live in
``licences.services.issuing`` and ``catalogue``, whose refusals land next to these fields."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from govhall.core import inputs
from govhall.licences.models import HolderKind, LicenceType

TEXT = forms.Textarea(attrs={"rows": 3})


def _text(label, max_length=500, widget=TEXT, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=widget,
        help_text=help_text,
        error_messages={
            "max_length": _("“%(label)s”不能超过%%(limit_value)d个字符。") % {"label": label}
        },
    )


def _date(label, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("“%(label)s”须为日期（YYYY-MM-DD）。") % {"label": label}},
    )


class AnnotateForm(forms.Form):
    text = _text(_("加注内容（必填）"))
    reason = _text(_("原因"))
    valid_until = _date(_("加注有效期至"), _("可不填；例如年检合格至某日。"))


class RenewForm(forms.Form):
    valid_until = _date(
        _("新的有效期截止"), _("可不填：按证照类型的有效期自今日起算；须晚于今天。")
    )
    reason = _text(_("原因（必填）"))


class ChangeForm(forms.Form):
    """One input per metadata field of the type (``data_<name>``), the holder's name and
    the reason; blank metadata keeps its current value."""

    def __init__(self, data=None, *, licence, **kwargs):
        super().__init__(data, **kwargs)
        current = licence.current.data if licence.current_id else {}
        for field in licence.type.fields or []:
            label = field.get("label") or field["name"]
            kind = field.get("type", "text")
            attrs = {"type": "date"} if kind == "date" else {}
            if kind == "number":
                attrs["inputmode"] = "decimal"
            self.fields[f"data_{field['name']}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                initial=current.get(field["name"], ""),
                widget=forms.TextInput(attrs=attrs),
                help_text=_("留空则保持不变。"),
            )
        self.fields["holder_name"] = forms.CharField(
            label=_("持证主体名称"),
            required=False,
            max_length=200,
            help_text=_("留空则保持“%(name)s”。") % {"name": licence.holder_name},
        )
        self.fields["reason"] = _text(_("变更原因（必填）"))

    def metadata(self) -> dict:
        return {
            name.removeprefix("data_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("data_") and str(value).strip()
        }

    @staticmethod
    def field_for(key: str) -> str:
        """Service keys (``data.spouse_name``) → this form's field names."""
        return f"data_{key.removeprefix('data.')}" if key.startswith("data.") else key


class RevokeForm(forms.Form):
    reason = _text(_("注销原因（必填）"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RotateForm(forms.Form):
    reason = _text(_("轮换原因（必填）"), max_length=200)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写“轮换原因”。"), code="required")
        return reason


class LicenceTypeForm(forms.Form):
    """A licence type of the 通用目录; ``values()`` is what ``catalogue.save_type`` takes."""

    code = forms.CharField(
        label=_("证照类型代码"),
        required=False,
        max_length=30,
        help_text=_("21位：定义机构统一社会信用代码（18位）+3位顺序号。"),
    )
    name = forms.CharField(label=_("证照类型名称"), required=False, max_length=200)
    defining_body = forms.CharField(label=_("证照定义机构"), required=False, max_length=200)
    defining_body_code = forms.CharField(
        label=_("定义机构统一社会信用代码"), required=False, max_length=30
    )
    holder_kind = forms.ChoiceField(
        label=_("持证主体类别"),
        required=False,
        choices=[("", _("请选择")), *HolderKind.choices],
    )
    fields_json = forms.CharField(
        label=_("照面信息项（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            '数组，每项形如 {"name": "spouse_name", "label": "配偶姓名", "type": "text", '
            '"required": false}；name 用小写字母、数字和下划线，type 为 text、date 或 number。'
        ),
    )
    validity_years = forms.CharField(
        label=_("有效期（年）"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("0 表示长期有效。"),
    )
    number_prefix = forms.CharField(label=_("证照编号前缀"), required=False, max_length=50)
    template = forms.CharField(
        label=_("照面模板"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Django 模板片段，可用 licence、version、data；留空则使用通用版式。"),
    )
    issuing_departments = forms.CharField(
        label=_("签发部门（统一社会信用代码，每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("留空表示发证清单中事项的实施部门均可签发。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    # Service keys → form fields.
    FIELD_FOR = {"fields": "fields_json"}

    @classmethod
    def initial_for(cls, licence_type: LicenceType) -> dict:
        return {
            "code": licence_type.code,
            "name": licence_type.name,
            "defining_body": licence_type.defining_body,
            "defining_body_code": licence_type.defining_body_code,
            "holder_kind": licence_type.holder_kind,
            "fields_json": json.dumps(licence_type.fields or [], ensure_ascii=False, indent=2),
            "validity_years": str(licence_type.validity_years),
            "number_prefix": licence_type.number_prefix,
            "template": licence_type.template,
            "issuing_departments": "\n".join(
                licence_type.issuing_departments.order_by("region__code", "name").values_list(
                    "credit_code", flat=True
                )
            ),
            "is_active": licence_type.is_active,
        }

    def clean_fields_json(self):
        text = self.cleaned_data["fields_json"].strip()
        if not text:
            return []
        try:
            return inputs.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("“照面信息项”不是有效的JSON（第%(line)s行第%(col)s列）。")
                % {"line": exc.lineno, "col": exc.colno},
                code="json",
            ) from None

    def values(self) -> dict:
        data = self.cleaned_data
        codes = data["issuing_departments"].replace(",", "\n").replace("，", "\n").split()
        return {
            "code": data["code"],
            "name": data["name"],
            "defining_body": data["defining_body"],
            "defining_body_code": data["defining_body_code"],
            "holder_kind": data["holder_kind"],
            "fields": data["fields_json"],
            "validity_years": data["validity_years"],
            "number_prefix": data["number_prefix"],
            "template": data["template"],
            "issuing_departments": codes,
            "is_active": data["is_active"],
        }
