"""我的办件: the acting identity's cases, one case's progress, one bundle's cases.

What the applicant may do next (correct, withdraw, ask for review, rate) is worked out
here from the case's state, so the page offers only actions the services will accept.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..forms import RatingForm
from ..models import FINAL_STATES, OPEN_STATES, BundleCase
from ..services import access, actions, queries
from .common import applicant_login, case_or_404

FILTERS = {"open": OPEN_STATES, "concluded": FINAL_STATES}
PAGE_SIZE = 20


@applicant_login
@require_GET
def my_cases(request):
    status = request.GET.get("status", "")
    rows = access.applicant_cases(request.identity).select_related("department")
    if status in FILTERS:
        rows = rows.filter(state__in=FILTERS[status])
    page = Paginator(rows.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/portal/my_cases.html",
        {
            "page": page,
            "status": status,
            "filters": [("", _("全部")), ("open", _("办理中")), ("concluded", _("已结束"))],
        },
    )


# The page's names for the applicant's actions of the registry.
PAGE_ACTIONS = {
    "withdraw": "withdraw",
    "correct": "submit_correction",
    "review": "request_review",
    "rate": "rate",
}


def case_actions(identity, case) -> dict:
    """Which applicant actions this case allows now, for this identity (their guards in
    ``actions``, the ones the services enforce)."""
    offered = {o.action.name for o in actions.offered(case, identity, kind=actions.APPLICANT)}
    return {page: name in offered for page, name in PAGE_ACTIONS.items()}


@applicant_login
@require_GET
def case_detail(request, number: str):
    case = case_or_404(request, number)
    return render(
        request,
        "cases/portal/case_detail.html",
        {
            "case": case,
            "progress": queries.progress(case),
            "notice": case.corrections.filter(corrected_at__isnull=True).first(),
            "actions": case_actions(request.identity, case),
            "rating": getattr(case, "rating", None),
            "rating_form": RatingForm(),
            "materials": case.application.materials.select_related("file").order_by("pk"),
        },
    )


@applicant_login
@require_GET
def bundle_detail(request, number: str):
    """一件事: one view of all the cases an application fanned out to."""
    bundle_case = BundleCase.objects.select_related("bundle").filter(number=number).first()
    cases = (
        access.applicant_cases(request.identity)
        .filter(bundle_case=bundle_case)
        .select_related("department")
        .order_by("pk")
        if bundle_case
        else []
    )
    if not cases:
        raise Http404(_("没有找到这个办件。"))
    return render(
        request,
        "cases/portal/bundle_detail.html",
        {
            "bundle_case": bundle_case,
            "rows": [(case, queries.progress(case)) for case in cases],
        },
    )
