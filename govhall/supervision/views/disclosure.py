"""The public 监督栏目 (/supervision/): one hall's month — supervision results, complaints,
ratings, case results (办件公示) and items entered — with CSV and JSON downloads."""

from __future__ import annotations

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from govhall.core.errors import Refusal
from govhall.regions.models import Level, Region

from ..services import disclosure


def _params(request):
    """(region, period, page, problems); bad values fall back with a message."""
    problems = []
    code = (request.GET.get("region") or "").strip()
    region = None
    if code:
        try:
            region = disclosure.region_or_refuse(code)
        except Refusal as refusal:
            problems.append(refusal.message)
    if region is None:
        region = Region.objects.filter(level=Level.PROVINCE).order_by("code").first()
    try:
        period = disclosure.Period.parse(request.GET.get("period"))
    except Refusal as refusal:
        problems.append(refusal.message)
        period = disclosure.Period.parse("")
    page = request.GET.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return region, period, page, problems


def disclosure_page(request):
    region, period, page, problems = _params(request)
    data = disclosure.disclosure(region, period, page=page) if region else None
    cities = Region.objects.filter(level__in=[Level.PROVINCE, Level.CITY]).order_by("code")
    return render(
        request,
        "supervision/disclosure.html",
        {
            "region": region,
            "period": period,
            "data": data,
            "problems": problems,
            "regions": cities,
            "pages": (data["cases"]["count"] + disclosure.CASE_ROWS - 1) // disclosure.CASE_ROWS
            if data
            else 0,
        },
        status=400 if problems else 200,
    )


def disclosure_download(request, fmt: str):
    region, period, page, problems = _params(request)
    if problems or region is None:
        return JsonResponse(
            {"errors": [{"field": "region", "code": "invalid", "message": m} for m in problems]},
            status=400,
        )
    data = disclosure.disclosure(region, period, page=page)
    name = f"disclosure-{region.code}-{period.label}"
    if fmt == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow([_("栏目"), _("指标"), _("数值")])
    for part in ("warnings", "complaints", "ratings", "items_entered"):
        for key, value in data[part].items():
            if isinstance(value, list | dict):
                continue
            writer.writerow([part, key, "" if value is None else value])
    writer.writerow([])
    writer.writerow(
        [_("办件编号"), _("事项"), _("部门"), _("申请人"), _("受理日期"), _("办结日期"), _("结果")]
    )
    for row in data["cases"]["results"]:
        writer.writerow(
            [
                row["case_number"],
                row["item_name"],
                row["department"],
                row["applicant"],
                row["accepted_on"] or "",
                row["concluded_on"],
                row["result"],
            ]
        )
    return response
