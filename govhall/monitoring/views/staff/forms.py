"""The target editor's form. The rules are ``monitoring.services.targets.save_target``'s:
fields are optional here so that the service reports every problem at once, each next
to its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govhall.monitoring.models import Indicator, TargetScope


class TargetForm(forms.Form):
    year = forms.CharField(label=_("年度"), max_length=4, required=False)
    indicator = forms.ChoiceField(label=_("指标"), choices=Indicator.choices, required=False)
    scope = forms.ChoiceField(
        label=_("适用对象"),
        choices=TargetScope.choices,
        required=False,
        help_text=_("本地区整体、本级部门，或所辖各地区（每个下级地区整体）。"),
    )
    value = forms.CharField(
        label=_("目标值（%）"),
        max_length=8,
        required=False,
        help_text=_("0至100之间，最多一位小数，如 70 或 65.5。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    source = forms.CharField(
        label=_("依据"),
        max_length=200,
        required=False,
        help_text=_("文件名称或文号，如“潮府办函〔2017〕135号”或本级会议决定。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = _("请从列表中选择“%(label)s”。") % {
                "label": field.label
            }
            field.error_messages["max_length"] = _("“%(label)s”过长。") % {"label": field.label}
