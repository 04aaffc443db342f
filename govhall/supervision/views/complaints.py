"""我要投诉 pages: filing (public), following by number and query code, rating the
answer; and the handling department's and supervisor's pages under the workbench."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govhall.workbench.gate import forbidden

from ..models import ComplaintState, ComplaintSubject
from ..services import access, complaints
from .warnings import staff_only

LEVELS = [
    (1, gettext_lazy("非常满意")),
    (2, gettext_lazy("满意")),
    (3, gettext_lazy("基本满意")),
    (4, gettext_lazy("不满意")),
    (5, gettext_lazy("非常不满意")),
]


class ComplaintForm(forms.Form):
    subject = forms.ChoiceField(
        label=gettext_lazy("投诉对象"), choices=ComplaintSubject.choices, widget=forms.RadioSelect
    )
    case_number = forms.CharField(
        label=gettext_lazy("办件编号"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("投诉办件时填写（见回执或短信）"),
    )
    department = forms.CharField(
        label=gettext_lazy("部门统一社会信用代码"),
        required=False,
        max_length=18,
        help_text=gettext_lazy("投诉部门时填写"),
    )
    implementation_code = forms.CharField(
        label=gettext_lazy("事项实施编码"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("投诉事项时填写（见办事指南）"),
    )
    region = forms.CharField(
        label=gettext_lazy("大厅所在区划代码"),
        required=False,
        max_length=12,
        help_text=gettext_lazy("投诉大厅服务时填写，如江门市为440700"),
    )
    content = forms.CharField(
        label=gettext_lazy("投诉内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("请写明时间、地点、经过和诉求，10至2000字"),
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("未登录时必填：用于验证身份；号码将被脱敏保存"),
    )
    sms_code = forms.CharField(label=gettext_lazy("短信验证码"), required=False, max_length=10)

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("case_number", "department", "implementation_code", "region"):
            self.fields[name].optional = True
        self.fields["phone"].optional = signed_in
        self.fields["sms_code"].optional = signed_in


class TrackForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("投诉编号"), max_length=24)
    query_code = forms.CharField(label=gettext_lazy("查询码"), max_length=20)


class RatingForm(TrackForm):
    level = forms.TypedChoiceField(
        label=gettext_lazy("对答复的评价"), choices=LEVELS, coerce=int, widget=forms.RadioSelect
    )


def _add_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def file_complaint(request):
    signed_in = request.user.is_authenticated
    region = (request.GET.get("region") or "")[:12]
    form = ComplaintForm(
        request.POST or None,
        signed_in=signed_in,
        initial={"region": region, "subject": "hall"} if region.isdigit() else None,
    )
    sent = False
    if request.method == "POST" and form.is_valid():
        if "send_code" in request.POST:
            try:
                complaints.send_code(form.cleaned_data["phone"])
                sent = True
            except ValidationError as error:
                _add_errors(form, error)
        else:
            try:
                complaint, query_code = complaints.file(form.cleaned_data, user=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return render(
                    request,
                    "supervision/complaint_filed.html",
                    {"complaint": complaint, "query_code": query_code},
                    status=201,
                )
    return render(
        request,
        "supervision/complaint_form.html",
        {"form": form, "sent": sent, "signed_in": signed_in},
        status=400 if form.errors else 200,
    )


def track_complaint(request):
    """The complainant's view; POST with a level rates the answer."""
    complaint, not_found = None, False
    if request.method == "POST":
        form = RatingForm(request.POST)
        track = TrackForm(request.POST)
        if track.is_valid():
            complaint = complaints.find(
                track.cleaned_data["number"], track.cleaned_data["query_code"]
            )
            not_found = complaint is None
        if complaint is not None and form.is_valid():
            try:
                complaint = complaints.rate(complaint, form.cleaned_data["level"])
            except ValidationError as error:
                _add_errors(form, error)
    else:
        track = TrackForm(request.GET or None)
        form = RatingForm(initial=request.GET)
        if track.is_bound and track.is_valid():
            complaint = complaints.find(
                track.cleaned_data["number"], track.cleaned_data["query_code"]
            )
            not_found = complaint is None
    return render(
        request,
        "supervision/complaint_track.html",
        {
            "track": track,
            "form": form,
            "complaint": complaint,
            "not_found": not_found,
            "can_rate": complaint is not None and complaint.state == ComplaintState.ANSWERED,
        },
        status=404 if not_found else (400 if request.method == "POST" and form.errors else 200),
    )


# --- staff ---------------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ForwardForm(forms.Form):
    department = forms.CharField(label=gettext_lazy("交办部门统一社会信用代码"), max_length=18)
    note = forms.CharField(label=gettext_lazy("交办说明"), required=False, max_length=500)


@staff_only
def complaint_list(request):
    rows = access.complaints_for(request.user).select_related("department")
    state = request.GET.get("state", "")
    if state in ComplaintState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/complaints.html",
        {"nav": "supervision", "page": page, "state": state, "states": ComplaintState.choices},
    )


def _staff_complaint(user, number: str):
    complaint = (
        access.complaints_for(user).select_related("department").filter(number=number).first()
    )
    if complaint is None:
        raise Http404
    return complaint


@staff_only
def complaint_page(request, number: str, answer_form=None, forward_form=None, status=200):
    complaint = _staff_complaint(request.user, number)
    scope = access.scope_of(request.user)
    return render(
        request,
        "supervision/complaint.html",
        {
            "nav": "supervision",
            "complaint": complaint,
            "can_answer": complaint.state == ComplaintState.HANDLING
            and (scope.is_superuser or complaint.department_id in scope.department_ids),
            "can_forward": complaint.state == ComplaintState.HANDLING
            and access.supervises(scope, complaint.region_code),
            "answer_form": answer_form or AnswerForm(),
            "forward_form": forward_form or ForwardForm(),
            "warnings": complaint.warnings.all(),
        },
        status=status,
    )


@require_POST
@staff_only
def complaint_answer(request, number: str):
    complaint = _staff_complaint(request.user, number)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            complaints.answer(request.user, complaint, form.cleaned_data["answer"])
        except ValidationError as error:
            if getattr(error, "denied", False):
                return forbidden(request, str(error))
            _add_errors(form, error)
        else:
            return redirect("supervision:complaint", number=number)
    return complaint_page(request, number, answer_form=form, status=400)


@require_POST
@staff_only
def complaint_forward(request, number: str):
    complaint = _staff_complaint(request.user, number)
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            complaints.forward(
                request.user, complaint, form.cleaned_data["department"], form.cleaned_data["note"]
            )
        except ValidationError as error:
            if getattr(error, "denied", False):
                return forbidden(request, str(error))
            _add_errors(form, error)
        else:
            if access.complaints_for(request.user).filter(number=number).exists():
                return redirect("supervision:complaint", number=number)
            return redirect("supervision:complaints")
    return complaint_page(request, number, forward_form=form, status=400)
