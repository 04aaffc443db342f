"""The staff page of the two-page indicators: opening and usage rates per city."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from govhall.regions.services.scope import scope_of
from govhall.workbench.gate import forbidden, staff_only

from ..services import indicators

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_of(period: str):
    import datetime

    match = PERIOD_RE.match(period or "")
    if not match:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


def visible_cities(scope) -> list[str] | None:
    """The city codes a supervisor or hall administrator covers (None: every city)."""
    from govhall.regions.models import Level, Region

    if scope.is_superuser:
        return None
    return [
        code
        for code in Region.objects.filter(level=Level.CITY).values_list("code", flat=True)
        if scope.covers_region_code(code)
    ]


@staff_only
@require_GET
def indicators_page(request):
    scope = scope_of(request.user)
    if not (scope.is_superuser or scope.region_prefixes):
        return forbidden(request, _("两页指标仅供效能监督人员和大厅管理员查看。"))
    period = request.GET.get("period", "")
    month = month_of(period) if period else timezone.localdate().replace(day=1)
    error = ""
    if month is None:
        error = _("“月份”须为YYYY-MM格式，如2026-05。")
        month = timezone.localdate().replace(day=1)
    rows = indicators.cities(month, visible_cities(scope))
    return render(
        request,
        "spaces/indicators.html",
        {"rows": rows, "month": month, "error": error, "nav": "spaces"},
    )
