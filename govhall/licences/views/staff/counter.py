"""亮证核验 at a counter: scan the holder's QR code (a scanner types it) or type the
identifier; the page answers like the public verification and logs the showing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from govhall.licences.services import counter
from govhall.workbench.gate import apply_errors, staff_only


class ShownForm(forms.Form):
    text = forms.CharField(
        label=_("二维码内容或证照标识"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("用扫码枪扫描持证人出示的二维码，或手工输入证照标识。"),
    )


@staff_only
def check_shown(request):
    form = ShownForm(request.POST or None)
    answer = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                answer = counter.check_shown(request.user, form.cleaned_data["text"])
            except ValidationError as exc:
                apply_errors(form, exc)
        if form.errors:
            status = 400
    return render(
        request,
        "licences/staff/counter.html",
        {"form": form, "answer": answer, "nav": "licences"},
        status=status,
    )
