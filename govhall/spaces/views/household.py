"""家庭成员授权: who may see my items, and whose items I see."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from govhall.cases.views.common import applicant_login
from govhall.core.errors import problems_of

from ..models import HouseholdRelation
from ..services import household


class GrantForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("被授权人姓名"), max_length=50)
    id_number = forms.CharField(label=gettext_lazy("被授权人身份证号码"), max_length=18)
    relation = forms.ChoiceField(
        label=gettext_lazy("与您的关系"), choices=HouseholdRelation.choices
    )
    valid_until = forms.DateField(
        label=gettext_lazy("授权有效期至"), widget=forms.DateInput(attrs={"type": "date"})
    )


def _own_person(request):
    """Only as oneself: a company has no household."""
    identity = request.identity
    if identity.person is None or identity.company is not None:
        return None
    return identity.person


@applicant_login
@require_http_methods(["GET", "POST"])
def household_page(request):
    person = _own_person(request)
    if person is None:
        return redirect("spaces:home")
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household.grant(person, **form.cleaned_data)
        except ValidationError as error:
            for problem in problems_of(error):
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            messages.success(request, _("已授权。对方可在其个人网页查看您的办件和证照。"))
            return redirect("spaces:household")
    return render(
        request,
        "spaces/household.html",
        {"form": form, "given": household.given_by(person), "held": household.held_by(person)},
    )


@applicant_login
@require_POST
def end_grant(request, pk: int):
    person = _own_person(request)
    if person is None:
        return redirect("spaces:home")
    try:
        household.end(person, pk)
    except ValidationError:
        messages.error(request, _("没有找到这项家庭成员授权。"))
    else:
        messages.success(request, _("授权已终止。"))
    return redirect("spaces:household")
