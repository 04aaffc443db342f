"""数据使用异议 for staff: the disputes about their departments' reads, and answering one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govhall.workbench.gate import staff_only

from ..services import datareads


@staff_only
@require_GET
def dispute_list(request):
    rows = datareads.disputes_for_staff(request.user).order_by("state", "-created_at")[:200]
    return render(request, "spaces/disputes.html", {"rows": rows, "nav": "spaces"})


@staff_only
@require_POST
def dispute_answer(request, pk: int):
    if not datareads.disputes_for_staff(request.user).filter(pk=pk).exists():
        raise Http404  # outside the staff member's departments and regions: not found
    try:
        datareads.answer(request.user, pk, request.POST.get("answer", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已答复，并已通知提出人。"))
    return redirect("spaces:disputes")
