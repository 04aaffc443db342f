"""Printable case documents as PDF (``cases.documents.service``): the applicant's from
我的办件, the counter's from the staff case page. Own urlpatterns, included once from
``govhall/urls.py``.

A case outside the reader's reach is "not found", as on every case page. Printing is
recorded in the audit log (who printed which document of which case).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from govhall.core.services import audit
from govhall.regions.services.scope import scope_of

from .documents import service
from .models import Case
from .services import access
from .views.common import applicant_login, case_or_404


def _pdf(request, case: Case, kind: str, who: str) -> HttpResponse:
    try:
        data = service.render_pdf(case, kind, request)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from None
    audit.record(
        audit.AuditEntry.Action.OTHER,
        instance=case,
        after={"document": kind},
        reason=f"{who}打印{service.KINDS[kind].title}",
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        request.GET.get("download") == "1", service.filename(case, kind)
    )
    response["Cache-Control"] = "no-store"
    return response


@applicant_login
@require_GET
def applicant_document(request, number: str, kind: str):
    case = case_or_404(request, number)
    if kind not in service.KINDS or not service.KINDS[kind].for_applicant:
        raise Http404
    return _pdf(request, case, kind, "申请人")


@login_required
@require_GET
def staff_document(request, number: str, kind: str):
    if not scope_of(request.user).is_staff_member:
        raise Http404
    case = access.staff_cases(request.user).filter(number=number).first()
    if case is None or kind not in service.KINDS:
        raise Http404(_("没有找到这个办件。"))
    return _pdf(request, case, kind, "工作人员")


urlpatterns = [
    path(
        "my/cases/<str:number>/documents/<slug:kind>.pdf",
        applicant_document,
        name="case-document",
    ),
    path(
        "workbench/case-documents/<str:number>/<slug:kind>.pdf",
        staff_document,
        name="staff-case-document",
    ),
]
