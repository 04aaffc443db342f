"""提醒与推送设置: reminders on or off, SMS, and each kind of push on or off."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from govhall.cases.views.common import applicant_login

from ..models import PushKind
from ..services import preferences
from ..services.delivery import preference_of


class PreferenceForm(forms.Form):
    reminders = forms.BooleanField(label=gettext_lazy("接收办事温馨提醒"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("提醒和推送同时以短信发送"), required=False)
    pushes = forms.MultipleChoiceField(
        label=gettext_lazy("接收以下类别的主动推送"),
        choices=PushKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("订阅以下主题的政策资讯"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [
            (t.code, f"{t.name}（{t.get_audience_display()}）")
            for t in preferences.subscribable_themes()
        ]


@applicant_login
@require_http_methods(["GET", "POST"])
def settings_page(request):
    current = preference_of(request.user)
    initial = {
        "reminders": current.reminders,
        "sms": current.sms,
        "pushes": [k for k in PushKind.values if current.wants(k)],
        "themes": list(current.themes or []),
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["pushes"])
        preferences.save(
            request.user,
            reminders=form.cleaned_data["reminders"],
            sms=form.cleaned_data["sms"],
            pushes_off=[k for k in PushKind.values if k not in wanted],
            themes=form.cleaned_data["themes"],
        )
        messages.success(request, _("设置已保存。"))
        return redirect("spaces:settings")
    return render(request, "spaces/settings.html", {"form": form})
