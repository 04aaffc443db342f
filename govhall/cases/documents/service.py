"""Printable case documents, laid out like the notices of Chinese halls.

Each document is rendered from the case as it stands (WeasyPrint, as licences are): a
title, a document number, the addressee, the body the law asks for, the hall's seal
area (department, date, 「（印章）」 box for the counter's stamp) and a QR code that opens
the public progress query with the case number filled in. Which documents a case has
follows its state (``available``): there is no 受理通知书 before acceptance, no
不予受理通知书 unless rejected, no 决定书 before the decision.

- 申请回执: what the applicant keeps after submitting (case number, item, submitted, the
  acceptance deadline and, once accepted, the promised date).
- 收件回执: the counter's list of materials received.
- 受理通知书: accepted, with the 受理文书编号 and the statutory and promised dates
  (《行政许可法》第三十二条).
- 一次性告知书: every missing or wrong material at once (第三十二条第一款第四项).
- 不予受理通知书: the reason and the applicant's remedies (复议、诉讼).
- 决定书: the decision, its reason and the result, downloadable with the result.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from govhall.core.errors import refuse
from govhall.core.services.public_url import public_url

from ..models import Case, CaseState, Decision


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    for_applicant: bool  # the applicant may download it from 我的办件


KINDS = {
    k.code: k
    for k in (
        Kind("receipt", "申请回执", True),
        Kind("intake", "收件回执", True),
        Kind("acceptance", "受理通知书", True),
        Kind("correction", "一次性告知书", True),
        Kind("rejection", "不予受理通知书", True),
        Kind("decision", "决定书", True),
    )
}


def available(case: Case) -> list[Kind]:
    """The documents this case has now, in the order a case meets them."""
    codes = ["receipt", "intake"]
    if case.accepted_at:
        codes.append("acceptance")
    if case.corrections.exists():
        codes.append("correction")
    if case.state == CaseState.REJECTED:
        codes.append("rejection")
    if case.decision and case.decided_at:
        codes.append("decision")
    return [KINDS[c] for c in codes]


def progress_url(case: Case, request=None) -> str:
    """The public progress query with the case number filled in (the ID is asked there)."""
    return f"{public_url(request)}/progress/?{urlencode({'case_number': case.number})}"


def qr_matrix(text: str):
    return segno.make_qr(text, error="m")


def document_number(case: Case, kind: Kind) -> str:
    if kind.code == "acceptance" and case.document_number:
        return case.document_number
    prefix = {
        "receipt": "回执",
        "intake": "收件",
        "acceptance": "受理",
        "correction": "补正",
        "rejection": "不予受理",
        "decision": "决定",
    }[kind.code]
    return f"{prefix}〔{case.submitted_at.year}〕{case.number}"


def _context(case: Case, kind: Kind, request=None) -> dict:
    url = progress_url(case, request)
    correction = case.corrections.order_by("-issued_at").first()
    materials = []
    if case.application_id:
        materials = [
            {"name": m.name, "source": m.get_source_display()}
            for m in case.application.materials.order_by("pk")
        ]
    return {
        "case": case,
        "kind": kind,
        "title": kind.title,
        "number": document_number(case, kind),
        "progress_url": url,
        "qr_data_uri": qr_matrix(url).png_data_uri(scale=4, border=4),
        "correction": correction,
        "materials": materials,
        "department": case.accepting_department or case.department,
        "printed_at": timezone.localtime(),
        "site_name": settings.GOVHALL_SITE_NAME,
        "approved": case.decision == Decision.APPROVE,
    }


def render_html(case: Case, code: str, request=None) -> str:
    kind = KINDS.get(code)
    if kind is None or kind not in available(case):
        raise refuse(
            "kind", "not_available", f"该办件当前没有“{kind.title if kind else code}”可打印。"
        )
    return render_to_string(f"cases/documents/{kind.code}.html", _context(case, kind, request))


def render_pdf(case: Case, code: str, request=None) -> bytes:
    import weasyprint  # heavy: only when a document is printed
    from weasyprint.urls import URLFetcher

    html = render_html(case, code, request)
    fetcher = URLFetcher(allowed_protocols={"data"})  # only the inline QR image
    buffer = io.BytesIO()
    weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(buffer)
    return buffer.getvalue()


def filename(case: Case, code: str) -> str:
    return f"{KINDS[code].title}-{case.number}.pdf"
