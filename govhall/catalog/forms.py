"""Forms of the catalogue desk: the version editor (main form + one formset per list).

The forms only shape input; the document they build is checked by ``services.rules``
through ``services.items.save_draft``, and the problems it reports are put back on the
field (or formset row) they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from govhall.core.errors import Problem

from .models import (
    FAQ,
    Audience,
    ChangeType,
    Fee,
    ItemType,
    ItemVersion,
    Material,
    RelationKind,
    SpecialProcedure,
    Step,
    Theme,
)
from .services import documents

FIELDSETS = [
    (
        _("基本信息"),
        [
            "name",
            "aliases",
            "audiences",
            "themes",
            "handling_scope",
            "joint_departments",
            "intermediary_services",
            "quantity_limit",
        ],
    ),
    (_("设定依据与受理条件"), ["legal_basis", "conditions"]),
    (
        _("办理时限"),
        [
            "statutory_limit_days",
            "statutory_limit_note",
            "promised_limit_days",
            "promised_limit_note",
            "case_type",
        ],
    ),
    (_("跑动次数与网上办理深度"), ["visits", "visits_reason", "depth", "min_realname_level"]),
    (
        _("办理渠道与服务"),
        [
            "channels",
            "supports_appointment",
            "supports_online_payment",
            "supports_logistics",
            "location",
            "office_hours",
        ],
    ),
    (_("收费"), ["has_fee", "fee_basis"]),
    (
        _("办理结果"),
        ["result_name", "result_licence_type", "repeat_while_held", "result_sample", "delivery"],
    ),
    (_("咨询与监督"), ["consultation_phone", "supervision_phone"]),
    (_("网上申办表单与秒批规则"), ["form_fields", "decision_rules"]),
    (_("业务手册"), ["manual_notes"]),
    (_("本次变更"), ["change_summary"]),
]
FORM_SCALARS = [name for _, names in FIELDSETS for name in names if name in documents.SCALAR_NAMES]
TEXTAREAS = {
    "legal_basis",
    "conditions",
    "intermediary_services",
    "fee_basis",
    "manual_notes",
    "criteria",
    "risk_points",
    "risk_controls",
    "answer",
}


def _widgets(fields: dict[str, forms.Field]) -> None:
    for name, field in fields.items():
        if name in TEXTAREAS:
            field.widget = forms.Textarea(attrs={"rows": 3})


class VersionForm(forms.Form):
    """The scalar and set-like fields of a version."""

    audiences = forms.MultipleChoiceField(
        label=_("服务对象"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label=_("服务主题"), required=False, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        label=_("办理渠道"),
        required=False,
        choices=list(documents.CHANNEL_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    delivery = forms.MultipleChoiceField(
        label=_("结果送达方式"),
        required=False,
        choices=list(documents.DELIVERY_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    form_fields = forms.JSONField(
        label=_("申请表单（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            '字段列表，例如 [{"name": "household_size", "label": "家庭人口", "type": "integer", '
            '"required": true, "min": 1}]；类型见 docs/cases.md。'
        ),
    )
    decision_rules = forms.JSONField(
        label=_("秒批规则（JSON，留空表示人工审批）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            '例如 {"review_days": 5, "rules": [{"code": "R1", "description": "年满70周岁", '
            '"fact": "applicant.age", "op": ">=", "value": 70}]}。'
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_fields = fields_for_model(ItemVersion, fields=FORM_SCALARS)
        _widgets(model_fields)
        self.fields.update(model_fields)
        self.fields["themes"].choices = [
            (t.code, f"{t.name}（{t.get_audience_display()}）")
            for t in Theme.objects.order_by("audience", "sort_order")
        ]
        self.order_fields(name for _, names in FIELDSETS for name in names)

    def fieldsets(self):
        for title, names in FIELDSETS:
            yield title, [self[name] for name in names]


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("关系"), choices=[("", "---------"), *RelationKind.choices])
    target = forms.CharField(label=_("关联事项实施编码"), max_length=32)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


def _child_form(model, names: list[str]) -> type[forms.Form]:
    class ChildForm(forms.Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            fields = fields_for_model(model, fields=names)
            _widgets(fields)
            if "code" in fields:
                fields["code"].required = False  # new materials get the next free code
            self.fields.update(fields)
            self.order_fields(names)

    ChildForm.__name__ = f"{model.__name__}Form"
    return ChildForm


def _names(key: str) -> list[str]:
    return [spec.name for spec in documents.CHILDREN[key][1]]


class StepForm(_child_form(Step, _names("steps"))):
    """A step may be handled by another level's department (county accepts, city decides)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = forms.CharField(
            label=_("跨层级办理部门（统一社会信用代码）"), max_length=18, required=False
        )


CHILD_FORMS: dict[str, type[forms.Form]] = {
    "materials": _child_form(Material, _names("materials")),
    "steps": StepForm,
    "fees": _child_form(Fee, _names("fees")),
    "special_procedures": _child_form(SpecialProcedure, _names("special_procedures")),
    "faqs": _child_form(FAQ, _names("faqs")),
    "relations": RelationForm,
}
FORMSETS = {
    key: formset_factory(form, extra=1, can_delete=True) for key, form in CHILD_FORMS.items()
}
FORMSET_TITLES = {key: documents.CHILD_LABELS[key] for key in CHILD_FORMS}


class VersionEditor:
    """The main form plus one formset per list, bound together to one document."""

    def __init__(self, data=None, initial: dict[str, Any] | None = None):
        initial = initial or {}
        self.form = VersionForm(
            data, initial={k: v for k, v in initial.items() if k not in FORMSETS}
        )
        self.formsets = {
            key: cls(data, prefix=key, initial=initial.get(key) or [])
            for key, cls in FORMSETS.items()
        }
        self._row_forms: dict[str, list[forms.Form]] = {}
        self.non_field_errors: list[str] = []
        self.list_errors: dict[str, list[str]] = {}

    def blocks(self):
        """(key, title, formset, list-level errors) for the template."""
        for key, formset in self.formsets.items():
            yield key, FORMSET_TITLES[key], formset, self.list_errors.get(key, [])

    def is_valid(self) -> bool:
        return self.form.is_valid() & all(fs.is_valid() for fs in self.formsets.values())

    def document(self) -> dict[str, Any]:
        doc = dict(self.form.cleaned_data)
        for key, formset in self.formsets.items():
            rows, kept = [], []
            initial = formset.initial_form_count()
            for index, form in enumerate(formset.forms):
                if form.cleaned_data.get("DELETE"):
                    continue
                if index >= initial and not form.has_changed():
                    continue  # an untouched blank row
                rows.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
                kept.append(form)
            doc[key] = rows
            self._row_forms[key] = kept
        return doc

    def add_problems(self, problems: list[Problem]) -> None:
        """Attach each service problem to the field or formset row it names."""
        for problem in problems:
            head, _, rest = problem.field.partition(".")
            key, _, index = head.partition("[")
            if key in self.formsets and index:
                row = int(index.rstrip("]"))
                forms_ = self._row_forms.get(key, [])
                if row < len(forms_):
                    form = forms_[row]
                    if rest and rest in form.fields:
                        form.add_error(rest, problem.message)
                    else:
                        form.add_error(None, problem.message)
                    continue
            if key in self.formsets:
                self.list_errors.setdefault(key, []).append(problem.message)
                self.non_field_errors.append(problem.message)
                continue
            if key in self.form.fields:
                self.form.add_error(key, problem.message)
            else:
                self.non_field_errors.append(problem.message)

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary at the top of the page."""
        out = [("", m) for m in self.non_field_errors]
        for name, errors in self.form.errors.items():
            anchor = self.form[name].auto_id if name in self.form.fields else ""
            out += [(anchor, f"{self.form.fields[name].label}：{e}") for e in errors]
        for key, formset in self.formsets.items():
            for index, form in enumerate(formset.forms):
                for name, errors in form.errors.items():
                    anchor = form[name].auto_id if name in form.fields else ""
                    label = form.fields[name].label if name in form.fields else ""
                    out += [
                        (anchor, f"{FORMSET_TITLES[key]}第{index + 1}行 {label}：{e}")
                        for e in errors
                    ]
        return out


class ItemCreateForm(forms.Form):
    department = forms.ModelChoiceField(label=_("实施主体"), queryset=None)
    item_type = forms.ChoiceField(label=_("事项类型"), choices=ItemType.choices)
    name = forms.CharField(label=_("事项名称"), max_length=200)
    basic_code = forms.CharField(
        label=_("基本编码"),
        max_length=10,
        required=False,
        help_text=_("实施基本目录中已有事项时填写；留空则按编码规则生成新编码。"),
    )
    parent = forms.CharField(
        label=_("主项实施编码"),
        max_length=32,
        required=False,
        help_text=_("录入子项时填写所属主项的实施编码。"),
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class DraftForm(forms.Form):
    change_type = forms.ChoiceField(
        label=_("变更类型"),
        choices=[
            (ChangeType.CHANGE, ChangeType.CHANGE.label),
            (ChangeType.SUSPEND, ChangeType.SUSPEND.label),
            (ChangeType.CANCEL, ChangeType.CANCEL.label),
        ],
    )
    change_summary = forms.CharField(label=_("变更说明"), max_length=500, required=False)


class ReviewForm(forms.Form):
    legality_ok = forms.BooleanField(label=_("合法性审查通过"), required=False)
    compliance_ok = forms.BooleanField(label=_("合规性审查通过"), required=False)
    comment = forms.CharField(
        label=_("审查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel文件（.xlsx）"))
    publish = forms.BooleanField(
        label=_("导入后直接发布（需同时具有录入和审查岗位）"), required=False
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class SplitForm(forms.Form):
    names = forms.CharField(
        label=_("拆分后的事项名称"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个，至少两个。"),
    )
    change_summary = forms.CharField(label=_("拆分原因"), max_length=500)

    def clean_names(self):
        names = _lines(self.cleaned_data["names"])
        if len(names) < 2:
            raise forms.ValidationError(_("拆分至少要产生两个事项，每行填写一个名称。"))
        return names


class MergeForm(forms.Form):
    others = forms.CharField(
        label=_("与以下事项合并（实施编码）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个本部门事项的实施编码。"),
    )
    name = forms.CharField(label=_("合并后的事项名称"), max_length=200)
    change_summary = forms.CharField(label=_("合并原因"), max_length=500)

    def clean_others(self):
        return _lines(self.cleaned_data["others"])
