"""绩效考评 pages: a region's departments and sub-regions ranked, and one department's
indicators with the cases, cards, complaints and ratings behind every point."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from govhall.core.errors import Refusal
from govhall.regions.models import Department, Region

from ..services import access, scoring
from .warnings import staff_only


def _span(request):
    try:
        return scoring.Span.parse(request.GET.get("period")), ""
    except Refusal as refusal:
        return scoring.Span.parse(""), refusal.message


@staff_only
def scores_page(request):
    span, problem = _span(request)
    scope = access.scope_of(request.user)
    region = None
    if access.sees_regions(scope):
        code = (request.GET.get("region") or "").strip()
        if code:
            if not scope.covers_region_code(code):
                raise Http404
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise Http404
        else:
            region = (
                scope.regions().order_by("code").first()
                if not scope.is_superuser
                else (Region.objects.order_by("code").first())
            )
    departments = (
        scoring.department_scores(region, span)
        if region
        else [
            scoring.one_department(d, span)
            for d in Department.objects.filter(pk__in=scope.department_ids)
        ]
    )
    return render(
        request,
        "supervision/scores.html",
        {
            "nav": "supervision",
            "span": span,
            "problem": problem,
            "region": region,
            "departments": departments,
            "regions": scoring.region_scores(region, span) if region else [],
        },
        status=400 if problem else 200,
    )


@staff_only
def department_score(request, credit_code: str):
    span, problem = _span(request)
    department = Department.objects.filter(credit_code=credit_code).first()
    if department is None or not access.scope_of(request.user).covers_department(department):
        raise Http404
    return render(
        request,
        "supervision/score.html",
        {
            "nav": "supervision",
            "span": span,
            "problem": problem,
            "department": department,
            "score": scoring.one_department(department, span),
        },
    )


@staff_only
def report_pdf(request, code: str, period: str):
    """The quarterly (or monthly) 通报 of a region the user watches, as PDF."""
    from django.http import HttpResponse

    from ..services import report

    scope = access.scope_of(request.user)
    if not (access.sees_regions(scope) and scope.covers_region_code(code)):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    try:
        span = scoring.Span.parse(period)
    except Refusal:
        raise Http404 from None
    pdf = report.render_pdf(region, span, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="supervision-{region.code}-{span.label}.pdf"'
    )
    return response
