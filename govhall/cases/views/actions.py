"""What an applicant does to a case: correct (补正), withdraw, ask for review, rate.

Each is a page of its own (a confirmation for withdrawing); the service decides, and
its refusal is shown on the field it names.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import CorrectionForm, RatingForm, ReasonForm, apply_errors
from ..services import applicant, applications, auto_approval
from .cases import case_actions
from .common import applicant_login, case_or_404


def _allowed(request, case, action: str) -> None:
    if not case_actions(request.identity, case)[action]:
        raise Http404(_("该办件当前不能进行此操作。"))


def _done(request, case, message: str):
    messages.success(request, message)
    return redirect(case.get_absolute_url())


@applicant_login
@require_http_methods(["GET", "POST"])
def correction(request, number: str):
    case = case_or_404(request, number)
    _allowed(request, case, "correct")
    notice = case.corrections.filter(corrected_at__isnull=True).first()
    locker = list(applications.locker_of(request.identity)[:100])
    form = CorrectionForm(
        request.POST or None, request.FILES or None, rows=notice.items, locker=locker
    )
    if request.method == "POST" and form.is_valid():
        files, index = {}, 0
        try:
            for index, row in enumerate(form.rows):
                upload = form.cleaned_data.get(f"file_{index}")
                if upload:
                    files[row["material_code"]] = applications.store_file(
                        request.user,
                        upload,
                        title=row["name"],
                        kind=row["material_code"],
                        company=request.identity.company,
                    )
                else:
                    files[row["material_code"]] = form.locker[form.cleaned_data[f"locker_{index}"]]
        except ValidationError as exc:
            apply_errors(form, exc, aliases={"file": f"file_{index}"})
        else:
            try:
                applicant.submit_correction(
                    case, request.identity, files=files, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                apply_errors(form, exc, aliases={"materials": "file_0"})
            else:
                return _done(request, case, _("补正材料已提交，受理时限重新计算。"))
    return render(
        request,
        "cases/portal/correction.html",
        {"case": case, "notice": notice, "form": form},
        status=400 if form.errors else 200,
    )


def _reason_page(request, number, *, action, label, template, perform, success):
    case = case_or_404(request, number)
    _allowed(request, case, action)
    form = ReasonForm(request.POST or None, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            perform(case, request.identity, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, case, success)
    return render(
        request, template, {"case": case, "form": form}, status=400 if form.errors else 200
    )


@applicant_login
@require_http_methods(["GET", "POST"])
def withdraw(request, number: str):
    return _reason_page(
        request,
        number,
        action="withdraw",
        label=_("撤回理由"),
        template="cases/portal/withdraw.html",
        perform=applicant.withdraw,
        success=_("申请已撤回，办件已结束。"),
    )


@applicant_login
@require_http_methods(["GET", "POST"])
def review(request, number: str):
    return _reason_page(
        request,
        number,
        action="review",
        label=_("申请复核的理由"),
        template="cases/portal/review.html",
        perform=auto_approval.request_review,
        success=_("已申请人工复核，工作人员将重新审查并告知结果。"),
    )


@applicant_login
@require_http_methods(["GET", "POST"])
def rate(request, number: str):
    case = case_or_404(request, number)
    _allowed(request, case, "rate")
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applicant.rate(
                case,
                request.identity,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                channel="pc",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, case, _("感谢您的评价。"))
    return render(
        request,
        "cases/portal/rate.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )
