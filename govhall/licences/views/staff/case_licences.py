"""E-licences on the staff case page: the ones the applicant consented to, shown as data
instead of scans, and 部门调取 of another licence of the applicant — both only inside a
case this user may read, each read logged for the holder to see. The case page asks for
this section through ``cases.views.staff.case.SECTIONS`` (the case engine never imports
the licences app)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from govhall.cases.views.staff.case import render_case
from govhall.cases.views.staff.common import scoped_case
from govhall.licences.models import LicenceType
from govhall.licences.services import uses, verification
from govhall.workbench.gate import apply_errors, staff_only


@dataclass(frozen=True)
class LicenceView:
    """What a reviewer needs from a licence: its face data under the type's labels."""

    licence: object
    status_label: str
    fields: list[tuple[str, str]]


def view_of(licence) -> LicenceView:
    version = licence.current
    labels = {f["name"]: f.get("label") or f["name"] for f in licence.type.fields or []}
    fields = [(labels.get(name, name), value) for name, value in version.data.items()]
    status = verification.status_of(version)
    return LicenceView(licence, verification.STATUS_LABELS[status], fields)


class LicenceRequestForm(forms.Form):
    type_code = forms.ChoiceField(label=_("证照类型"))
    purpose = forms.CharField(label=_("调取用途"), max_length=200)

    def __init__(self, *args, holder_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        types = LicenceType.objects.filter(is_active=True)
        if holder_kind:
            types = types.filter(holder_kind=holder_kind)
        self.fields["type_code"].choices = [("", "请选择")] + [
            (t.code, t.name) for t in types.order_by("name")
        ]


def holder_kind_of(case) -> str:
    return "company" if case.company_id else "person"


def context_for(request, case) -> dict:
    """Consented licences (each read logged) and the request form, for render_case."""
    return {
        "consented_licences": [
            view_of(licence) for licence in uses.read_for_case(request.user, case)
        ],
        "licence_request_form": LicenceRequestForm(holder_kind=holder_kind_of(case)),
    }


@staff_only
@require_POST
def request_licence(request, number: str):
    case = scoped_case(request.user, number)
    form = LicenceRequestForm(request.POST, holder_kind=holder_kind_of(case))
    found = None
    if form.is_valid():
        try:
            found = uses.request_for_case(
                request.user, case, form.cleaned_data["type_code"], form.cleaned_data["purpose"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    extra = {"licence_request_form": form, "requested_licences": None}
    if found is not None:
        extra["requested_licences"] = [view_of(licence) for licence in found]
    return render_case(request, case, extra=extra, status=200 if form.is_valid() else 400)
