"""The quarterly 通报 of a region as PDF (WeasyPrint with Noto CJK fonts, like the
monitoring report): cards by rule and their rectification, complaints, ratings and
follow-ups, and the scores of the regions below and of the region's own departments."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from govhall.regions.models import Region

from . import disclosure, scoring


def context(region: Region, span: scoring.Span) -> dict:
    return {
        "region": region,
        "span": span,
        "generated_at": timezone.localtime(),
        "warnings": disclosure.warnings_part(region, span),
        "complaints": disclosure.complaints_part(region, span),
        "ratings": disclosure.ratings_part(region, span),
        "regions": scoring.region_scores(region, span),
        "departments": scoring.department_scores(region, span),
    }


def render_pdf(region: Region, span: scoring.Span, base_url: str | None = None) -> bytes:
    import weasyprint

    html = render_to_string("supervision/report.html", context(region, span))
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
