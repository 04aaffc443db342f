"""Portal forms of the applicant's side. They only shape input for the services, which
own every rule; each message names its field so the error summary reads on its own."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.catalog.services import forms as catalog_forms
from govhall.core.identifiers import validate_credit_code, validate_id_number

from .models import Delivery, Rating
from .services import applications

ANSWER_PREFIX = "form."
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
BOOLEAN_CHOICES = [("true", gettext_lazy("是")), ("false", gettext_lazy("否"))]
RADIO_LIMIT = 5  # more choices than this become a drop-down list


def required(label) -> dict:
    return {"required": _("“%(label)s”为必填项。") % {"label": label}}


def apply_errors(form: forms.Form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Put a service's refusal on the form: on the named field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = (aliases or {}).get(name, name)
        if name in form.fields and name in form.errors:
            continue
        form.add_error(name if name in form.fields else None, errors)


def _answer_field(spec: dict) -> forms.Field:
    """A loose input for one catalogue field: the catalogue's own check converts it."""
    kind, label = spec["type"], spec["label"]
    hints = [spec.get("help", "")]
    hints.append(range_hint(spec))
    attrs: dict = {}
    widget: forms.Widget
    if kind == "textarea":
        widget = forms.Textarea(attrs={"rows": 4, "maxlength": catalog_forms.MAX_TEXT[kind]})
    elif kind == "boolean":
        widget = forms.RadioSelect(choices=BOOLEAN_CHOICES)
    elif kind == "choice":
        options = [(c, c) for c in spec.get("choices", [])]
        if len(options) > RADIO_LIMIT:
            widget = forms.Select(choices=[("", _("请选择")), *options])
        else:
            widget = forms.RadioSelect(choices=options)
    elif kind == "date":
        widget = forms.DateInput(attrs={"type": "date"})
        hints.append(_("格式如2026-01-31"))
    else:
        attrs = {
            "text": {"maxlength": catalog_forms.MAX_TEXT["text"]},
            "integer": {"inputmode": "numeric"},
            "decimal": {"inputmode": "decimal"},
            "id_number": {"maxlength": 18, "autocomplete": "off", "spellcheck": "false"},
            "credit_code": {"maxlength": 18, "autocomplete": "off", "spellcheck": "false"},
            "phone": {"type": "tel", "inputmode": "tel", "maxlength": 11},
            "email": {"type": "email", "autocomplete": "email", "spellcheck": "false"},
        }.get(kind, {})
        widget = forms.TextInput(attrs=attrs)
    field = forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=widget,
        help_text="；".join(h for h in hints if h),
    )
    field.answer_spec = spec
    return field


def _condition_hint(other: dict, condition: dict) -> str:
    expected = condition["equals"]
    if isinstance(expected, bool):
        expected = _("是") if expected else _("否")
    return _("仅在“%(label)s”为“%(value)s”时填写") % {"label": other["label"], "value": expected}


def range_hint(spec: dict) -> str:
    """The bounds of a number question in words: both ends, or the one there is."""
    low, high = spec.get("min"), spec.get("max")
    if low is not None and high is not None:
        return _("范围：%(low)s～%(high)s") % {
            "low": catalog_forms.number_text(low),
            "high": catalog_forms.number_text(high),
        }
    if low is not None:
        return _("不小于%(low)s") % {"low": catalog_forms.number_text(low)}
    if high is not None:
        return _("不大于%(high)s") % {"high": catalog_forms.number_text(high)}
    return ""


def delivery_choices(application) -> list[tuple[str, str]]:
    """The offered ways of delivery (``applications.delivery_offered``) with their labels."""
    offered = applications.delivery_offered(application)
    return [(value, label) for value, label in Delivery.choices if value in offered]


class ApplicationForm(forms.Form):
    """The item's questions (named ``form.<name>``, as the services name them) and contact."""

    contact_name = forms.CharField(
        label=gettext_lazy("联系人"),
        max_length=50,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": gettext_lazy("“联系人”不能超过50个字符。")},
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        required=False,
        strip=True,
        help_text=gettext_lazy("11位手机号码，用于接收办理进度短信。"),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": 11}
        ),
    )
    delivery = forms.ChoiceField(
        label=gettext_lazy("结果送达方式"), required=False, widget=forms.RadioSelect
    )
    delivery_address = forms.CharField(
        label=gettext_lazy("邮寄地址"),
        max_length=200,
        required=False,
        strip=True,
        help_text=gettext_lazy("选择邮寄送达时填写，请写明省市区、街道门牌和收件人。"),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={"max_length": gettext_lazy("“邮寄地址”不能超过200个字符。")},
    )

    def __init__(self, *args, fields: list[dict], deliveries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = fields
        labels = {spec["name"]: spec for spec in fields}
        answers = {}
        for spec in fields:
            field = answers[ANSWER_PREFIX + spec["name"]] = _answer_field(spec)
            field.optional = not spec["required"]
            condition = spec.get("show_if")
            if condition and condition["field"] in labels:
                field.help_text = "；".join(
                    h
                    for h in (
                        _condition_hint(labels[condition["field"]], condition),
                        field.help_text,
                    )
                    if h
                )
        self.fields = {**answers, **self.fields}
        self.fields["contact_name"].optional = True
        self.fields["delivery"].choices = deliveries
        self.fields["delivery"].error_messages["invalid_choice"] = _(
            "“结果送达方式”须从列出的方式中选择。"
        )
        if not deliveries:
            del self.fields["delivery"], self.fields["delivery_address"]

    @classmethod
    def initial_for(cls, application, specs) -> dict:
        initial = {
            "contact_name": application.contact_name,
            "contact_phone": application.contact_phone,
            "delivery": application.delivery,
            "delivery_address": application.delivery_address,
        }
        for spec in specs:
            value = application.answers.get(spec["name"])
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif spec["type"] in ("integer", "decimal") and value not in (None, ""):
                value = catalog_forms.shown(spec, value)
            if value is not None:
                initial[ANSWER_PREFIX + spec["name"]] = str(value)
        return initial

    def answer_fields(self):
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    def contact_fields(self):
        return [self[name] for name in self.fields if not name.startswith(ANSWER_PREFIX)]

    def show_if(self, name: str) -> str:
        """The condition of a conditional question, as JSON for the page's script."""
        condition = self.fields[name].answer_spec.get("show_if")
        if not condition:
            return ""
        return json.dumps(
            {"field": ANSWER_PREFIX + condition["field"], "equals": condition["equals"]},
            ensure_ascii=False,
        )

    def answers(self) -> dict:
        return {
            spec["name"]: self.cleaned_data.get(ANSWER_PREFIX + spec["name"], "")
            for spec in self.specs
        }

    def contact(self) -> dict:
        names = ("contact_name", "contact_phone", "delivery", "delivery_address")
        return {name: self.cleaned_data.get(name, "") for name in names if name in self.fields}

    def clean(self):
        cleaned = super().clean()
        _answers, problems = catalog_forms.clean_answers(self.specs, self.answers(), partial=True)
        for problem in problems:
            if problem.field in self.fields and problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        phone = cleaned.get("contact_phone")
        if phone and not catalog_forms.PHONE_RE.match(phone):
            self.add_error("contact_phone", _("“联系电话”须为11位手机号码。"))
        if cleaned.get("delivery") == Delivery.POST and not cleaned.get("delivery_address"):
            self.add_error("delivery_address", _("选择邮寄送达时，“邮寄地址”为必填项。"))
        return cleaned


class UploadForm(forms.Form):
    """One file into the materials locker (the service checks its size and real type)."""

    title = forms.CharField(
        label=gettext_lazy("材料名称"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("便于以后在材料库中查找，如“房屋租赁合同（2026年）”。"),
    )
    file = forms.FileField(
        label=gettext_lazy("选择文件"),
        help_text=gettext_lazy("PDF、JPG或PNG格式，不超过10MB。"),
        error_messages={
            "required": gettext_lazy("请选择要上传的文件。"),
            "empty": gettext_lazy("文件为空，请重新选择。"),
            "invalid": gettext_lazy("没有收到文件，请重新选择。"),
            "missing": gettext_lazy("没有收到文件，请重新选择。"),
            "max_length": gettext_lazy("文件名过长，请改短后重新上传。"),
        },
        max_length=200,
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
    )


class ReasonForm(forms.Form):
    """A reason in words: withdrawing a case, asking for a human review."""

    reason = forms.CharField(
        max_length=300, strip=True, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 300})
    )

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = label
        field.error_messages.update(required(label))
        field.error_messages["max_length"] = _("“%(label)s”不能超过300个字符。") % {"label": label}


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("您对本次服务的评价"),
        choices=Rating.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择“评价等级”。"),
            "invalid_choice": gettext_lazy("评价等级须为1（非常满意）至5（非常不满意）。"),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("评价内容"),
        required=False,
        max_length=500,
        strip=True,
        help_text=gettext_lazy("选择“不满意”或“非常不满意”时必填，请写明原因。"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
        error_messages={"max_length": gettext_lazy("“评价内容”不能超过500个字符。")},
    )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("level") or 0) >= 4 and not cleaned.get("comment"):
            self.add_error("comment", _("差评请写明不满意的原因，以便整改。"))
        return cleaned


class ProgressForm(forms.Form):
    """The public progress query: a case number and the applicant's ID or credit code."""

    case_number = forms.CharField(
        label=gettext_lazy("办件编号"),
        max_length=40,
        strip=True,
        help_text=gettext_lazy("见申请提交后的短信或回执。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": gettext_lazy("“办件编号”为必填项。"),
            "max_length": gettext_lazy("“办件编号”不能超过40个字符。"),
        },
    )
    applicant_id = forms.CharField(
        label=gettext_lazy("申请人证件号码"),
        max_length=18,
        strip=True,
        help_text=gettext_lazy("个人填写18位身份证号码，法人填写18位统一社会信用代码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": gettext_lazy("“申请人证件号码”为必填项。"),
            "max_length": gettext_lazy("“申请人证件号码”须为18位。"),
        },
    )

    def clean_applicant_id(self):
        value = self.cleaned_data["applicant_id"].upper()
        if not (validate_id_number(value).valid or validate_credit_code(value).valid):
            raise ValidationError(
                _("“申请人证件号码”须为有效的身份证号码或统一社会信用代码。"), code="invalid"
            )
        return value


class CorrectionForm(forms.Form):
    """补正: for every material the notice lists, a new upload or a file from the locker."""

    note = forms.CharField(
        label=gettext_lazy("补充说明（选填）"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={"max_length": gettext_lazy("“补充说明”不能超过500个字符。")},
    )

    def __init__(self, *args, rows: list[dict], locker, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.get("material_code")]
        self.locker = {str(f.public_id): f for f in locker}
        fields = {}
        for index, row in enumerate(self.rows):
            # Only files stored for this kind of material are offered (issue: a locker
            # that offered every file let an income statement stand for an ID card).
            choices = [("", _("不使用材料库文件"))] + [
                (
                    key,
                    _("%(name)s（%(at)s上传，%(size)s）")
                    % {
                        "name": f.name,
                        "at": f"{timezone.localtime(f.created_at):%Y-%m-%d %H:%M}",
                        "size": filesizeformat(f.size),
                    },
                )
                for key, f in self.locker.items()
                if applications.fits_material(f, row["material_code"], row["name"])
            ]
            fields[f"file_{index}"] = forms.FileField(
                label=_("上传“%(name)s”") % {"name": row["name"]},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
                error_messages={"empty": _("文件为空，请重新选择。")},
            )
            fields[f"locker_{index}"] = forms.ChoiceField(
                label=_("或从材料库选择“%(name)s”") % {"name": row["name"]},
                required=False,
                choices=choices,
                error_messages={
                    "invalid_choice": _("所选文件不是“%(name)s”，请上传或选择“%(name)s”。")
                    % {"name": row["name"]}
                },
            )
        self.fields = {**fields, **self.fields}

    def pairs(self):
        return [(row, self[f"file_{i}"], self[f"locker_{i}"]) for i, row in enumerate(self.rows)]

    def clean(self):
        cleaned = super().clean()
        for index, row in enumerate(self.rows):
            name = f"file_{index}"
            chosen = cleaned.get(name) or cleaned.get(f"locker_{index}")
            if not chosen and name not in self.errors:
                self.add_error(name, _("请上传或从材料库选择“%(name)s”。") % {"name": row["name"]})
        return cleaned
