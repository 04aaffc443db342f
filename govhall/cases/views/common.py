"""What every applicant page shares: sign-in, finding one's own draft or case, refusals.

Someone else's draft or case is "not found" (404), never "forbidden", so a guessed
link says nothing about whether it exists.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.accounts.models import RealNameLevel

from ..models import Application, Case
from ..services import access, applications

applicant_login = login_required(login_url="accounts:login")


def draft_or_404(request, public_id) -> Application:
    try:
        return applications.draft_of(request.identity, public_id)
    except Application.DoesNotExist:
        raise Http404(_("没有找到这份申请。")) from None


def draft_page(view):
    """An applicant's GET/POST page of a draft still being filled in, called with the
    draft; once it is submitted the page leads to the submission's 'done' page."""

    @applicant_login
    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def page(request, public_id):
        application = draft_or_404(request, public_id)
        if application.state != Application.State.DRAFT:
            return redirect("cases:done", public_id=application.public_id)
        return view(request, application)

    return page


def case_or_404(request, number: str) -> Case:
    case = (
        access.applicant_cases(request.identity)
        .select_related("department", "item", "application", "bundle_case")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404(_("没有找到这个办件。"))
    return case


def first_code(exc: ValidationError) -> tuple[str, str]:
    """The field and code of a service refusal (its first error)."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return field, errors[0].code or ""
    return "", exc.error_list[0].code or ""


def refusal(request, exc: ValidationError, *, subject: str, guide_url: str = "", level=None):
    """A refused start explained in Chinese, with the next thing the applicant can do."""
    _field, code = first_code(exc)
    next_steps = []
    if code == "realname_level" and level:
        query = urlencode({"level": int(level), "next": request.get_full_path()})
        next_steps.append((f"{reverse('accounts:level-required')}?{query}", _("提升实名等级")))
    elif code in ("no_power", "audience"):
        next_steps.append((reverse("accounts:acting"), _("切换办事身份")))
    elif code == "licence_held":
        next_steps.append((reverse("licences:my-licences"), _("查看我的证照")))
    elif code == "no_person":
        next_steps.append((reverse("accounts:home"), _("查看我的账号")))
    if guide_url:
        next_steps.append((guide_url, _("查看办事指南（窗口办理地点、时间和咨询电话）")))
    return render(
        request,
        "cases/portal/refused.html",
        {
            "subject": subject,
            "messages_list": exc.messages,
            "code": code,
            "next_steps": next_steps,
            "level_label": RealNameLevel(level).label if level else "",
        },
        status=403,
    )
