"""The licence as a signed PDF (版式文件): WeasyPrint lays it out, pyHanko signs it (PAdES)
with the issuer's P-256 certificate, so any PDF reader shows who signed it and whether
a byte changed since.

The PDF is the holder's own copy, so it shows the full holder name; the ID number is
masked like everywhere else (``Licence.masked_holder_code``: region and last four
digits), because a PDF is made to be passed on. The full code stays in the SM2-signed
canonical data and behind the QR code's verification page. A company's credit code is
public and shown whole.

Each version is rendered once (``ensure_pdf``) and kept with its SHA-256; later
downloads are the very same bytes, whatever the type's template says by then.
"""

from __future__ import annotations

import hashlib
import io
import logging

import segno
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from govhall.core.services import audit

from ..models import IssuerKey, LicenceVersion, VersionKind
from . import signing, verification

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "Signature1"
SIGNATURE_REASON = "电子证照签发"
# Versions that end the licence carry a notice across the page.
ENDED_NOTICES = {
    VersionKind.REVOKE: "本证照已注销",
    VersionKind.EXPIRE: "本证照已到期失效",
}


# --- what the page shows ---------------------------------------------------------------


def labelled_data(version: LicenceVersion) -> list[dict]:
    """The metadata in the type's field order with its labels; keys the type no longer
    defines still show, under their own name."""
    data = version.data or {}
    rows, seen = [], set()
    for field in version.licence.type.fields or []:
        name = field["name"]
        seen.add(name)
        if data.get(name) not in (None, ""):
            rows.append({"name": name, "label": field.get("label") or name, "value": data[name]})
    rows += [
        {"name": k, "label": k, "value": v}
        for k, v in data.items()
        if k not in seen and v not in (None, "")
    ]
    return rows


def qr_code(version: LicenceVersion):
    """The 亮证 QR code: the verification address with the signed payload."""
    return segno.make_qr(verification.qr_text(version), error="m")


def qr_svg(version: LicenceVersion, title: str = "") -> str:
    """Inline SVG of the static code, sized by CSS (no width/height), with a white quiet zone."""
    return svg_of(verification.qr_text(version), title)


def svg_of(text: str, title: str = "") -> str:
    """Inline SVG of any QR text (the live code's too), sized by CSS."""
    svg = segno.make_qr(text, error="m").svg_inline(
        scale=1, border=4, omitsize=True, light="#fff", title=title or None, svgclass="qr-svg"
    )
    return mark_safe(svg)  # segno escapes the title; the rest is its own markup


def _context(version: LicenceVersion) -> dict:
    licence = version.licence
    return {
        "licence": licence,
        "version": version,
        "data": version.data or {},
        "fields": labelled_data(version),
    }


def _custom_face(version: LicenceVersion, context: dict) -> str:
    """The type's own 照面 fragment, or "" to use the generic layout."""
    source = (version.licence.type.template or "").strip()
    if not source:
        return ""
    try:
        return Template(source).render(Context(context))
    except TemplateSyntaxError:
        logger.warning("licence type %s: template does not compile", version.licence.type.code)
        return ""


def render_html(version: LicenceVersion) -> str:
    context = _context(version)
    qr_png = qr_code(version).png_data_uri(scale=4, border=4)
    return render_to_string(
        "licences/pdf/licence.html",
        {
            **context,
            "custom_face": mark_safe(_custom_face(version, context)),  # autoescaped by Django
            "holder_code": version.licence.masked_holder_code,
            "qr_data_uri": qr_png,
            "ended_notice": ENDED_NOTICES.get(version.kind, ""),
            "site_name": settings.GOVHALL_SITE_NAME,
        },
    )


# --- signing ---------------------------------------------------------------------------


def _signer(key: IssuerKey):
    """A pyHanko ``SimpleSigner`` from the issuer key, built in memory (no key file)."""
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = signing.load_certificate_key(key).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    certs = [
        cert
        for pem in signing.certificate_chain(key)
        for cert in load_certs_from_pemder_data(pem.encode("ascii"))
    ]
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=load_private_key_from_pemder_data(der, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


def sign(pdf: bytes, key: IssuerKey, *, location: str = "") -> bytes:
    """PAdES baseline signature (ETSI.CAdES.detached, SHA-256) in field ``Signature1``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=SIGNATURE_REASON,
        location=location or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, meta, signer=_signer(key)).getvalue()


def render_pdf(version: LicenceVersion) -> bytes:
    """Lay out the version on A4 and sign it with the key that signed the version."""
    import weasyprint  # heavy, and it logs while loading: only when a PDF is made
    from weasyprint.urls import URLFetcher

    html = render_html(version)
    # Only inline (data:) resources: a type's template must not pull in local files or
    # reach other hosts from the server.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return sign(pdf, version.key, location=version.licence.issuer.name)


# --- stored once -----------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored(version: LicenceVersion) -> bytes | None:
    """The kept PDF, if it is there and still has the recorded hash."""
    if not (version.pdf and version.pdf_sha256):
        return None
    try:
        with version.pdf.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data if _sha256(data) == version.pdf_sha256 else None


def ensure_pdf(version: LicenceVersion) -> bytes:
    """The version's signed PDF: rendered and stored the first time, read back after.

    A file missing from storage or not matching its hash is rendered again (audited)."""
    data = _stored(version)
    if data is not None:
        return data
    with transaction.atomic():
        locked = (
            LicenceVersion.objects.select_for_update(of=("self",))
            .select_related("licence__type", "licence__issuer", "licence__current", "key")
            .get(pk=version.pk)
        )
        data = _stored(locked)  # someone else may have rendered it while we waited
        if data is None:
            broken = bool(locked.pdf_sha256)
            data = render_pdf(locked)
            locked.pdf.save(f"{locked.identifier}.pdf", ContentFile(data), save=False)
            locked.pdf_sha256 = _sha256(data)
            locked.save(update_fields=["pdf", "pdf_sha256"])
            audit.record(
                audit.AuditEntry.Action.UPDATE,
                instance=locked,
                after={"pdf": locked.pdf.name, "pdf_sha256": locked.pdf_sha256},
                reason="重新生成版式文件（原文件缺失或校验失败）" if broken else "生成版式文件",
            )
    version.pdf, version.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return data
