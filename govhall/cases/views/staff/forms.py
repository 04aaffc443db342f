"""The forms of the case page, one per staff action of the registry
(``govhall.cases.services.actions``).

The rules (a denial needs its reason, a post delivery its tracking number...) live in
``govhall.cases.services.handling``; these forms only collect the input and name the
fields, so each refusal of the service lands next to the field it is about. A form's
``arguments()`` are its service's keyword arguments.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govhall.cases.models import Decision, Delivery, SuspensionKind

TEXT = forms.Textarea(attrs={"rows": 3})


def _text(label, max_length=500, widget=TEXT, help_text=""):
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=widget, help_text=help_text
    )


class ActionForm(forms.Form):
    def arguments(self) -> dict:
        return dict(self.cleaned_data)


class AcceptForm(ActionForm):
    opinion = _text(_("受理意见"), help_text=_("可不填，默认为“予以受理”。"))


class RejectForm(ActionForm):
    reason = _text(_("不予受理理由（必填）"))


class CompleteStepForm(ActionForm):
    opinion = _text(_("办理意见（必填）"))


class ReturnStepForm(ActionForm):
    opinion = _text(_("退回理由（必填）"))


class DecideForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("审批决定（必选）"),
        required=False,
        choices=Decision.choices,
        widget=forms.RadioSelect,
    )
    reason = _text(_("决定理由"), help_text=_("作出“不予”决定时必填，将告知申请人。"))
    opinion = _text(_("审批意见"))


class StartSpecialForm(ActionForm):
    # Checked here: the service's own message for a bad kind cannot be built (see report).
    kind = forms.ChoiceField(
        label=_("特别程序种类（必选）"),
        choices=[("", _("请选择"))]
        + [(k.value, k.label) for k in SuspensionKind if k != SuspensionKind.CORRECTION],
        error_messages={
            "required": _("请选择特别程序种类。"),
            "invalid_choice": _("特别程序种类无效，请从列表中选择。"),
        },
    )
    reason = _text(_("启动理由（必填）"))


class EndSpecialForm(ActionForm):
    result = _text(_("特别程序结果（必填）"))


class ExtendForm(ActionForm):
    days = forms.CharField(
        label=_("延长天数（工作日，必填）"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = _text(_("延长理由（必填）"))

    def arguments(self) -> dict:
        return {**self.cleaned_data, "days": self.cleaned_data["days"].strip() or None}


class ConcludeForm(ActionForm):
    delivery = forms.ChoiceField(
        label=_("送达方式"), required=False, choices=[("", _("按申请人选择")), *Delivery.choices]
    )
    tracking_number = forms.CharField(
        label=_("快递单号"), required=False, max_length=40, help_text=_("邮寄送达时必填。")
    )
    result_number = forms.CharField(
        label=_("结果文号/证照编号"),
        required=False,
        max_length=100,
        help_text=_("可不填，默认使用办件编号。"),
    )
    fee = forms.CharField(
        label=_("收费金额（元）"),
        required=False,
        max_length=15,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def arguments(self) -> dict:
        return {**self.cleaned_data, "fee": self.cleaned_data["fee"].strip() or None}


class DeliverForm(ActionForm):
    collected_by = forms.CharField(label=_("领取人"), required=False, max_length=50)
    note = _text(_("备注"), max_length=300)


class CorrectionForm(ActionForm):
    """一次性告知: tick each of the application's materials that needs correcting and say
    what is wrong; other documents go in the free rows. Everything is sent at once."""

    EXTRA_ROWS = 3

    note = _text(_("补充说明"))

    def __init__(self, *args, materials: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = materials
        for index, (_key, name) in enumerate(materials):
            self.fields[f"m{index}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"m{index}_problem"] = forms.CharField(
                label=_("“%(name)s”的问题") % {"name": name}, required=False, max_length=300
            )
        for index in range(self.EXTRA_ROWS):
            number = index + 1
            self.fields[f"x{index}_name"] = forms.CharField(
                label=_("其他材料%(n)s：名称") % {"n": number}, required=False, max_length=200
            )
            self.fields[f"x{index}_problem"] = forms.CharField(
                label=_("其他材料%(n)s：问题") % {"n": number}, required=False, max_length=300
            )
        self.order_fields([*(f for f in self.fields if f != "note"), "note"])

    def rows(self):
        """(checkbox, problem) pairs of the application's materials, for the template."""
        return [(self[f"m{i}"], self[f"m{i}_problem"]) for i in range(len(self.materials))]

    def extra_rows(self):
        return [(self[f"x{i}_name"], self[f"x{i}_problem"]) for i in range(self.EXTRA_ROWS)]

    def clean(self):
        data = super().clean()
        for index, (_key, name) in enumerate(self.materials):
            ticked, problem = data.get(f"m{index}"), data.get(f"m{index}_problem", "").strip()
            if ticked and not problem:
                self.add_error(
                    f"m{index}_problem",
                    _("已勾选“%(name)s”，请写明需要补正的问题。") % {"name": name},
                )
            elif problem and not ticked:
                self.add_error(
                    f"m{index}",
                    _("填写了“%(name)s”的问题，请勾选该材料（或清空问题）。") % {"name": name},
                )
        for index in range(self.EXTRA_ROWS):
            name = data.get(f"x{index}_name", "").strip()
            problem = data.get(f"x{index}_problem", "").strip()
            if name and not problem:
                self.add_error(
                    f"x{index}_problem", _("请写明“%(name)s”需要补正的问题。") % {"name": name}
                )
            elif problem and not name:
                self.add_error(f"x{index}_name", _("请填写需要补正的材料名称。"))
        return data

    def arguments(self) -> dict:
        return {"items": self.items(), "note": self.cleaned_data.get("note", "")}

    def items(self) -> list[dict]:
        data = self.cleaned_data
        rows = [
            {"material_code": key, "name": name, "problem": data[f"m{i}_problem"].strip()}
            for i, (key, name) in enumerate(self.materials)
            if data.get(f"m{i}")
        ]
        rows += [
            {
                "material_code": "",
                "name": data[f"x{i}_name"].strip(),
                "problem": data[f"x{i}_problem"].strip(),
            }
            for i in range(self.EXTRA_ROWS)
            if data.get(f"x{i}_name", "").strip()
        ]
        return rows
