"""The staff page of the channels (/workbench/channels/): each channel with its calls,
errors, refusals over the rate, cases and ratings by day — for hall administrators."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from govhall.workbench.gate import forbidden, staff_gate

from .services import access, params, usage

staff_only = staff_gate(lambda: _("只有在岗的工作人员可以查看第三方渠道。"))


@staff_only
def usage_page(request):
    if not access.can_view_usage(request.user):
        return forbidden(request, _("只有大厅管理员可以查看第三方渠道的使用情况。"))
    errors: list[str] = []
    try:
        channels, start, end = params.query(request.GET)
    except ValidationError as exc:
        errors = exc.messages
        channels, start, end = params.query({})
    report = usage.report(channels, start, end)
    selected = request.GET.get("channel", "").strip() if not errors else ""
    return render(
        request,
        "channels/usage.html",
        {
            "report": report,
            "start": start,
            "end": end,
            "selected": selected,
            "all_channels": params.query({})[0],
            "errors": errors,
            "nav": "channels",
        },
    )
