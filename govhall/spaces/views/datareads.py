"""谁用了我的数据: the reads of my data, their download, and disputing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govhall.cases.views.common import applicant_login

from ..services import datareads

PAGE_SIZE = 30


@applicant_login
@require_GET
def data_reads(request):
    rows = datareads.reads_of(request.identity).order_by("-at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "spaces/data_reads.html", {"page": page})


@applicant_login
@require_GET
def download(request):
    rows = datareads.reads_of(request.identity).order_by("-at", "-pk")
    response = HttpResponse(datareads.as_csv(rows), content_type="text/csv; charset=utf-8")
    name = f"data-use-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@applicant_login
@require_POST
def dispute(request, pk: int):
    try:
        datareads.dispute(request.identity, pk, request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("异议已提交，大厅将核实后答复您。"))
    return redirect("spaces:data-reads")
