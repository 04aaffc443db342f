"""Verifying a licence: by identifier (online) or by the signed payload of its QR code.

The QR payload is ``GHL1.<base64url(JSON)>.<base64url(SM2 signature)>``; the JSON holds
only what a verifier at a counter needs (masked holder, type, issuer, validity, key id),
so it can be checked offline against the published issuer keys
(``/api/v1/licences/issuers``) and the published revocations.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from govhall.core import inputs
from govhall.core.errors import Refusal
from govhall.core.services.public_url import public_url

from ..models import IssuerKey, Licence, LicenceState, LicenceVersion
from . import canonical, identifiers, signing

QR_PREFIX = "GHL1."  # the static code (printed on the PDF)
LIVE_PREFIX = "GHL2."  # the live 亮证 code with a signed time (``services.live``)
PREFIXES = (QR_PREFIX, LIVE_PREFIX)


class Status:
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


STATUS_LABELS = {
    Status.VALID: "有效",
    Status.REVOKED: "已注销",
    Status.EXPIRED: "已过期",
    Status.SUPERSEDED: "已被新版本替代",
    Status.UNKNOWN: "查无此证",
}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


b64url = _b64url


def is_payload(text: str) -> bool:
    return text.startswith(PREFIXES)


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def status_of(version: LicenceVersion, today=None) -> str:
    licence = version.licence
    today = today or timezone.localdate()
    if licence.state == LicenceState.REVOKED:
        return Status.REVOKED
    current = licence.current
    if licence.state == LicenceState.EXPIRED or (
        current.valid_until is not None and current.valid_until < today
    ):
        return Status.EXPIRED
    if version.pk != current.pk:
        return Status.SUPERSEDED
    return Status.VALID


def signature_valid(version: LicenceVersion) -> bool:
    try:
        signature = base64.b64decode(version.signature)
    except (binascii.Error, ValueError):
        return False
    return signing.verify(version.key.sm2_public_key, version.canonical.encode("utf-8"), signature)


# --- QR payload -----------------------------------------------------------------------


def qr_claims(version: LicenceVersion) -> dict:
    licence = version.licence
    return {
        "i": version.identifier,
        "t": licence.type.name,
        "n": licence.number,
        "h": licence.masked_holder_name,
        "c": licence.masked_holder_code,
        "o": licence.issuer.name,
        "f": version.valid_from.isoformat(),
        "u": version.valid_until.isoformat() if version.valid_until else None,
        "k": version.key.key_id,
    }


def qr_payload(version: LicenceVersion) -> str:
    """The compact signed statement (``GHL1.…``) a verifier checks offline."""
    body = canonical.dumps(qr_claims(version)).encode("utf-8")
    return f"{QR_PREFIX}{_b64url(body)}.{_b64url(signing.sign(version.key, body))}"


def verify_url(payload: str, request=None) -> str:
    return f"{public_url(request)}/licences/verify/?p={payload}"


def qr_text(version: LicenceVersion, request=None) -> str:
    """What the QR code holds: the verification page's address with the payload, so a
    phone camera opens the page and an offline verifier reads the ``p`` parameter. The
    address is the hall's public one (``core.services.public_url``)."""
    return verify_url(qr_payload(version), request)


def payload_from(text: str) -> str:
    """Accept the payload itself or a verification URL that carries it."""
    text = (text or "").strip()
    if "?" in text and not is_payload(text):
        values = parse_qs(urlsplit(text).query).get("p")
        if values:
            return values[0].strip()
    return text


def read_payload(payload: str) -> tuple[dict, bytes, bytes]:
    """Split a QR payload into its claims, signed bytes and signature (ValueError if bad)."""
    if not is_payload(payload):
        raise ValueError("not a govhall licence QR payload")
    try:
        body_text, signature_text = payload[len(QR_PREFIX) :].split(".")
        body, signature = _unb64url(body_text), _unb64url(signature_text)
        claims = inputs.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError("malformed QR payload") from None
    if not isinstance(claims, dict) or not all(isinstance(claims.get(k), str) for k in "ik"):
        raise ValueError("QR payload lacks identifier or key id")
    if inputs.first_bad_string(claims) is not None:
        raise ValueError("control characters in QR payload")
    return claims, body, signature


# --- the verification answer ------------------------------------------------------------


def _unknown(identifier: str, reason: str, **extra) -> dict:
    return {
        "identifier": identifier,
        "status": Status.UNKNOWN,
        "status_label": STATUS_LABELS[Status.UNKNOWN],
        "signature_valid": False,
        "reason": reason,
        **extra,
    }


def live_window(claims: dict, at=None) -> tuple[dict | None, str]:
    """For a live code, its window (``qr``) and the refusal when it is not open ("" if it is)."""
    from . import live

    state = live.window_state(claims, at)
    if state == "malformed":
        return {"kind": "live", "expired": True}, "二维码的签名时间无法识别。"
    if state == "future":
        return live.qr_info(claims, state), "二维码的签名时间晚于当前时间，请核对核验设备的时间。"
    if state == "expired":
        return live.qr_info(claims, state), live.EXPIRED_MESSAGE + "。"
    return live.qr_info(claims, state), ""


def verify(text: str, at=None) -> dict:
    """Answer for an identifier or a QR payload: status, masked holder, type, issuer,
    validity and whether the signature verifies (the stored one, or the QR's). A live
    code outside its signed window is refused as "二维码已过期，请让持证人刷新"."""
    text = payload_from(text)
    qr_signature_valid = None
    qr = None
    if is_payload(text):
        try:
            claims, body, signature = read_payload(text)
        except ValueError:
            return _unknown("", "二维码内容无法识别。")
        key = IssuerKey.objects.filter(key_id=claims["k"]).first()
        qr_signature_valid = bool(key) and signing.verify(key.sm2_public_key, body, signature)
        identifier = str(claims["i"])
        if not qr_signature_valid:
            return _unknown(identifier, "二维码签名验证失败，内容可能被篡改。")
        if text.startswith(LIVE_PREFIX):
            qr, refusal = live_window(claims, at)
            if refusal:
                return _unknown(identifier, refusal, qr=qr, status_label=refusal.rstrip("。"))
        else:
            qr = {"kind": "static"}
    else:
        identifier = text.upper()
    try:
        identifiers.parse(identifier)
    except Refusal as exc:
        return _unknown(identifier, exc.message)
    version = (
        LicenceVersion.objects.select_related(
            "licence__type", "licence__issuer", "licence__current", "key"
        )
        .filter(identifier=identifier)
        .first()
    )
    if version is None:
        return _unknown(identifier, "未找到该证照。")
    licence: Licence = version.licence
    status = status_of(version)
    stored_valid = signature_valid(version)
    return {
        "identifier": version.identifier,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "signature_valid": stored_valid
        if qr_signature_valid is None
        else stored_valid and qr_signature_valid,
        "signature": {
            "algorithm": "SM2-SM3",
            "key_id": version.key.key_id,
            "signed_at": version.issued_at.isoformat(),
        },
        "version": version.version,
        "current_identifier": licence.current.identifier,
        "number": licence.number,
        "type": {"code": licence.type.code, "name": licence.type.name},
        "holder": {"name": licence.masked_holder_name, "code": licence.masked_holder_code},
        "issuer": {"name": licence.issuer.name, "code": licence.issuer.credit_code},
        "issue_date": version.issue_date.isoformat(),
        "valid_from": version.valid_from.isoformat(),
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "revocation_reason": licence.current.reason if status == Status.REVOKED else "",
        "qr": qr,
        "photo": photo_field(version),
    }


PHOTO_NAMES = ("photo", "portrait", "zhaopian")


def photo_field(version: LicenceVersion) -> dict | None:
    """The type's photo field (named ``photo``/``portrait`` or labelled 照片), if it has
    one: the checker compares it with the person in front of them."""
    for field in version.licence.type.fields or []:
        if field.get("name") in PHOTO_NAMES or "照片" in (field.get("label") or ""):
            value = (version.data or {}).get(field["name"])
            return {"label": field.get("label") or field["name"], "value": value or ""}
    return None
