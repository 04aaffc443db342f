"""The signed PDF: poppler's pdfsig accepts the PAdES signature, rejects a changed byte,
and the file is rendered once per version."""

import datetime
import io
import subprocess

import pytest
import segno
from pypdf import PdfReader

from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry

from ..models import LicenceVersion
from ..services import issuing, pdf
from . import factories as f

pytestmark = pytest.mark.django_db


def issued(**type_values):
    dept = cf.department("江门市民政局")
    licence_type = f.licence_type(issuers=[dept], **type_values)
    identity = cf.applicant(name="张小明")
    licence = issuing.issue(
        licence_type,
        dept,
        issuing.Holder.of_person(identity.person),
        data={"household_size": 3, "spouse_name": "李小红"},
        valid_from=datetime.date(2026, 1, 1),
    )
    return licence, identity


def pdfsig(tmp_path, data: bytes, name: str = "licence.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run(["/usr/bin/pdfsig", str(path)], capture_output=True, text=True)
    return result.stdout + result.stderr


def text_of(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_carries_a_valid_pades_signature_and_the_licence(tmp_path):
    licence, identity = issued()
    version = licence.current
    data = pdf.ensure_pdf(version)

    report = pdfsig(tmp_path, data)
    assert "Signature Field Name: Signature1" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "ETSI.CAdES.detached" in report
    assert licence.issuer.name in report  # the signer is the issuing department's certificate
    assert "SHA-256" in report

    text = text_of(data)
    assert licence.number in text
    assert version.identifier in text
    assert "最低生活保障证" in text and "张小明" in text
    assert "家庭人口" in text and "配偶姓名" in text and "李小红" in text
    # The ID number is masked: region and last four digits only.
    id_number = identity.person.id_number
    assert id_number not in text
    assert licence.masked_holder_code in text
    assert PdfReader(io.BytesIO(data)).pages[0].images  # the QR code


def test_a_changed_byte_breaks_the_signature(tmp_path):
    licence, _identity = issued()
    data = bytearray(pdf.ensure_pdf(licence.current))
    data[2000] ^= 0x01  # inside the first signed byte range (the page content)
    report = pdfsig(tmp_path, bytes(data), "changed.pdf")
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report or "Signature is Invalid" in report


def test_rendered_once_then_read_back(tmp_path):
    licence, _identity = issued()
    version = licence.current
    first = pdf.ensure_pdf(version)
    stored = LicenceVersion.objects.get(pk=version.pk)
    assert stored.pdf.name.endswith(f"{version.identifier}.pdf")
    assert len(stored.pdf_sha256) == 64

    # A new template would change a fresh rendering; the stored file is returned instead.
    licence.type.template = "<p>新版式 {{ licence.number }}</p>"
    licence.type.save()
    again = pdf.ensure_pdf(LicenceVersion.objects.get(pk=version.pk))
    assert again == first
    assert (
        AuditEntry.objects.filter(
            object_type="licences.licenceversion", object_id=str(version.pk)
        ).count()
        == 1
    )


def test_a_missing_file_is_rendered_again_and_the_type_template_is_used(tmp_path):
    licence, _identity = issued(
        template='<p class="face">家庭人口共{{ data.household_size }}人（{{ licence.number }}）</p>'
    )
    version = licence.current
    data = pdf.ensure_pdf(version)
    assert "家庭人口共3人" in text_of(data)

    version.pdf.storage.delete(version.pdf.name)
    again = pdf.ensure_pdf(LicenceVersion.objects.get(pk=version.pk))
    assert "Signature is Valid." in pdfsig(tmp_path, again)
    assert AuditEntry.objects.filter(
        object_type="licences.licenceversion", reason__startswith="重新生成版式文件"
    ).exists()


def test_a_type_template_cannot_pull_in_files_or_other_hosts(tmp_path):
    secret = tmp_path / "secret.png"
    segno.make_qr("secret").save(str(secret), kind="png", scale=4)
    licence, _identity = issued(
        template=f'<p>照面</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
    )
    data = pdf.ensure_pdf(licence.current)
    assert "照面" in text_of(data)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1  # the QR code only


def test_annotations_and_revocation_show_on_their_versions():
    licence, _identity = issued()
    approver = cf.staff("approver", licence.issuer)
    issuing.annotate(licence, approver, text="2026年度年检合格", reason="年检")
    revoked = issuing.revoke(licence, approver, reason="持证人申请注销")
    text = text_of(pdf.ensure_pdf(revoked))
    assert "2026年度年检合格" in text
    assert "本证照已注销" in text and "持证人申请注销" in text
