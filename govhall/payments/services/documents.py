"""缴款通知书 and 电子票据 as signed PDFs.

Laid out by WeasyPrint and signed (PAdES) with the collecting department's key through
the licences' own signer (``govhall.licences.services.pdf.sign`` and ``signing``), so a
PDF reader shows which department issued it and that no byte changed. The receipt is
made once, on first download, and kept with the assessment: later downloads are the
very same bytes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from govhall.core.services import audit
from govhall.licences.services import pdf as licence_pdf
from govhall.licences.services import signing

from ..models import AssessmentState, FeeAssessment
from . import money, orders


def _render(template: str, context: dict, department) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, {**context, "site_name": settings.GOVHALL_SITE_NAME})
    document = weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return licence_pdf.sign(
        document.write_pdf(), signing.active_key(department), location=department.name
    )


def _lines(assessment: FeeAssessment) -> list[dict]:
    return [
        {
            "line": line,
            "unit": money.yuan(line.unit_fen),
            "reduction": money.yuan(line.reduction_fen),
            "amount": money.yuan(line.amount_fen),
        }
        for line in assessment.lines.all()
    ]


def notice_pdf(assessment: FeeAssessment) -> bytes:
    """缴款通知书: what to pay, by when, with the payment code and where to pay."""
    import segno

    case = assessment.case
    pay_at = settings.GOVHALL_PUBLIC_URL + reverse("payments:fee", args=[case.number])
    qr = segno.make_qr(pay_at, error="m").png_data_uri(scale=4, border=4)
    return _render(
        "payments/pdf/notice.html",
        {
            "a": assessment,
            "case": case,
            "lines": _lines(assessment),
            "total": money.yuan(assessment.total_fen),
            "pay_at": pay_at,
            "qr": qr,
            "today": timezone.localdate(),
        },
        assessment.department,
    )


def receipt_pdf(assessment: FeeAssessment) -> bytes:
    """电子票据: made once when first asked for, after the payment."""
    if assessment.state != AssessmentState.PAID:
        from govhall.core.errors import refuse

        raise refuse("assessment", "not_paid", "尚未缴费，没有电子票据。")
    if assessment.receipt_pdf:
        return bytes(assessment.receipt_pdf)
    order = orders.paid_order(assessment)
    data = _render(
        "payments/pdf/receipt.html",
        {
            "a": assessment,
            "case": assessment.case,
            "order": order,
            "lines": _lines(assessment),
            "total": money.yuan(assessment.total_fen),
            "paid_at": timezone.localtime(assessment.paid_at),
        },
        assessment.department,
    )
    with transaction.atomic():
        locked = FeeAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.receipt_pdf:
            return bytes(locked.receipt_pdf)
        locked.receipt_pdf = data
        locked.save(update_fields=["receipt_pdf"])
        audit.record(
            audit.AuditEntry.Action.CREATE,
            instance=locked,
            after={"receipt_number": locked.receipt_number},
            reason="开具电子票据",
        )
    return data
