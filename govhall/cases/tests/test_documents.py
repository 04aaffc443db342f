"""Printable case documents: the 受理通知书 and 申请回执 as PDF carry the case number, item
and dates, and their QR code is the public progress URL.

No QR decoder is pinned (zxing-cpp / pyzbar are not in the lock files), so the QR is
checked by re-encoding: the image embedded in the PDF (``pdfimages``) is read module by
module and must equal segno's matrix for the expected progress URL — the same bits a
decoder would read back.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from govhall.regions.models import Post
from tests.common import user_client as signed_in

from ..documents import service
from ..services import handling
from . import factories as f

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfimages")), reason="poppler-utils missing"
)


@pytest.fixture
def accepted():
    dept = f.department("江门市民政局")
    item = f.item(dept)
    identity = f.applicant(name="王小红")
    case = f.submitted(item, identity)
    clerk = f.staff(Post.CLERK, dept)
    handling.accept(case, clerk)
    case.refresh_from_db()
    return case, identity, clerk


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def qr_modules(pdf: bytes, tmp_path: Path) -> list[list[bool]]:
    """The dark/light modules of the one image in the PDF (segno PNG, scale 4, border 4)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "img")], check=True)
    (png,) = sorted(tmp_path.glob("img-*.png"))
    image = Image.open(png).convert("L")
    size = image.width // 4 - 8
    return [
        [image.getpixel(((4 + x) * 4 + 2, (4 + y) * 4 + 2)) < 128 for x in range(size)]
        for y in range(size)
    ]


def expected_modules(text: str) -> list[list[bool]]:
    return [[bool(bit) for bit in row] for row in service.qr_matrix(text).matrix]


@needs_poppler
def test_acceptance_notice_and_receipt_carry_the_case_and_a_progress_qr(accepted, tmp_path):
    case, identity, clerk = accepted
    url = service.progress_url(case)
    assert url.endswith(f"/progress/?case_number={case.number}")
    for kind, title, client, href in (
        (
            "acceptance",
            "受理通知书",
            signed_in(clerk),
            f"/workbench/case-documents/{case.number}/acceptance.pdf",
        ),
        (
            "receipt",
            "申请回执",
            signed_in(identity.user),
            f"/my/cases/{case.number}/documents/receipt.pdf",
        ),
    ):
        response = client.get(href)
        assert response.status_code == 200, (kind, response.status_code)
        assert response["Content-Type"] == "application/pdf"
        pdf = response.content
        assert pdf.startswith(b"%PDF")
        (tmp_path / kind).mkdir()
        text = text_of(pdf, tmp_path / kind)
        flat = "".join(text.split())
        assert title in flat and case.number in flat and case.item_name in flat
        submitted = timezone.localtime(case.submitted_at)
        assert f"{submitted.year}年{submitted.month}月{submitted.day}日" in flat
        assert (
            f"{case.promised_due.year}年{case.promised_due.month}月{case.promised_due.day}日"
            in flat
        )
        assert "印章" in flat
        assert qr_modules(pdf, tmp_path / kind) == expected_modules(url)
        if kind == "acceptance":
            accepted_on = timezone.localtime(case.accepted_at)
            assert f"{accepted_on.year}年{accepted_on.month}月{accepted_on.day}日" in flat
            assert "行政许可法" in flat


def test_the_progress_qr_opens_the_query_with_the_number_filled_in(accepted):
    case, _, _ = accepted
    page = Client().get(f"/progress/?case_number={case.number}").content.decode()
    assert f'value="{case.number}"' in page


def test_documents_follow_the_state_and_nobody_else_can_print(accepted):
    case, identity, _clerk = accepted
    codes = [k.code for k in service.available(case)]
    assert codes == ["receipt", "intake", "acceptance"]
    assert (
        signed_in(identity.user).get(f"/my/cases/{case.number}/documents/rejection.pdf").status_code
        == 404
    )
    stranger = f.applicant(name="李四")
    assert signed_in(stranger.user).get(
        f"/my/cases/{case.number}/documents/receipt.pdf"
    ).status_code in (302, 404)
    other = f.staff(Post.CLERK, f.department("潮州市民政局", f.CHAOZHOU))
    assert (
        signed_in(other).get(f"/workbench/case-documents/{case.number}/acceptance.pdf").status_code
        == 404
    )


def test_correction_rejection_and_decision_documents(tmp_path):
    dept = f.department("江门市民政局")
    item = f.item(dept)
    clerk = f.staff(Post.CLERK, dept)
    corrected = f.submitted(item, f.applicant())
    handling.request_correction(
        corrected, clerk, items=[{"material_code": "m1", "name": "户口簿", "problem": "缺第二页"}]
    )
    corrected.refresh_from_db()
    flat = "".join(text_of(service.render_pdf(corrected, "correction"), tmp_path).split())
    assert "一次性告知书" in flat and "户口簿" in flat and "缺第二页" in flat

    rejected = f.submitted(item, f.applicant())
    handling.reject(rejected, clerk, reason="不属于本机关职权范围")
    rejected.refresh_from_db()
    flat = "".join(text_of(service.render_pdf(rejected, "rejection"), tmp_path).split())
    assert "不予受理通知书" in flat and "不属于本机关职权范围" in flat and "行政复议" in flat


def test_the_applicant_case_page_links_its_documents(accepted):
    case, identity, _clerk = accepted
    page = signed_in(identity.user).get(f"/my/cases/{case.number}/").content.decode()
    for kind in ("receipt", "intake", "acceptance"):
        assert f"/my/cases/{case.number}/documents/{kind}.pdf" in page
    assert "/documents/rejection.pdf" not in page


def test_the_staff_case_page_links_the_documents_to_print(accepted):
    case, _identity, clerk = accepted
    page = signed_in(clerk).get(f"/workbench/cases/{case.number}/").content.decode()
    for kind in ("receipt", "intake", "acceptance"):
        link = f"/workbench/case-documents/{case.number}/{kind}.pdf"
        assert link in page
    response = signed_in(clerk).get(f"/workbench/case-documents/{case.number}/acceptance.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
