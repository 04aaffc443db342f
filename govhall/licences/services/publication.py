"""What the hall publishes so that anyone can verify licences offline: every issuer key
(active and retired — old licences stay verifiable) and the signed revocation list.

The revocation list is canonical JSON (``canonical.dumps``) signed with the platform
root key (SM2-SM3, signer ID 1234567812345678), so a verifier at a counter can cache it
and check it with nothing but the root key from the issuer list. The same revocations
give the same signed document (kept in the cache by content hash), so its ETag holds
and caches in between stay valid until a licence is revoked.

``verify_public`` is the one way in for public verification (API and page): it refuses
malformed input naming the field, stores nothing about the asker, and logs the call.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.utils import timezone

from govhall.core.errors import Refusal, refuse

from ..models import IssuerKey, Licence, LicenceState, LicenceVersion, VersionKind
from . import bundle, canonical, identifiers, signing, verification

ALGORITHM = "SM2-SM3"
SIGNER_ID = signing.SIGNER_ID.decode("ascii")
REVOCATIONS_FORMAT = "govhall-revocations/1"
CACHE_SECONDS = 300
_SIGNED_CACHE_SECONDS = 24 * 3600

logger = logging.getLogger("govhall.licences.verify")


def etag_of(data) -> str:
    """A strong ETag for JSON data: the SHA-256 of its canonical form."""
    return '"' + hashlib.sha256(canonical.dumps(data).encode("utf-8")).hexdigest()[:32] + '"'


# --- issuer keys ------------------------------------------------------------------------


def key_entry(key: IssuerKey) -> dict:
    department = key.department
    sm2_pem = signing.sm2_certificate(key)
    return {
        "key_id": key.key_id,
        "is_root": key.is_root,
        "department": (
            {"name": department.name, "code": department.credit_code} if department else None
        ),
        "algorithm": ALGORITHM,
        "signer_id": SIGNER_ID,
        "public_key_pem": signing.public_key_pem(key.sm2_public_key),
        "public_key_hex": key.sm2_public_key,
        "certificate": key.certificate,
        "sm2_certificate": sm2_pem,
        "sm2_certificate_sha256": bundle.root_fingerprint(sm2_pem),
        "created_at": key.created_at.isoformat(timespec="seconds"),
        "retired_at": key.retired_at.isoformat(timespec="seconds") if key.retired_at else None,
        "active": key.retired_at is None,
    }


def issuer_keys() -> list[IssuerKey]:
    """Every key, the platform root first, then by department and age."""
    signing.root_key()  # verifiers need it for the revocation list, so it always exists
    return list(
        IssuerKey.objects.select_related("department__region").order_by(
            "department__region__code", "department__name", "-created_at", "pk"
        )
    )


def issuers_document() -> dict:
    keys = issuer_keys()
    keys.sort(key=lambda k: not k.is_root)
    return {
        "algorithm": ALGORITHM,
        "signer_id": SIGNER_ID,
        "keys": [key_entry(key) for key in keys],
    }


# --- revocations ------------------------------------------------------------------------


def licence_prefix(identifier: str) -> str:
    """``1.2.156.3005.2.<type>.<issuer>.<serial>``: the licence, whatever its version."""
    parsed = identifiers.parse(identifier)
    return f"{identifiers.ROOT}{parsed.type_code}.{parsed.issuer_code}.{parsed.serial}"


def revocation_entries() -> list[dict]:
    """Every revoked licence: its prefix, all its version identifiers, when and why."""
    licences = (
        Licence.objects.filter(state=LicenceState.REVOKED).select_related("current").order_by("pk")
    )
    by_licence: dict[int, list[str]] = {}
    versions = LicenceVersion.objects.filter(licence__state=LicenceState.REVOKED).order_by(
        "licence_id", "version"
    )
    for licence_id, identifier in versions.values_list("licence_id", "identifier"):
        by_licence.setdefault(licence_id, []).append(identifier)
    revocations = {
        v.licence_id: v
        for v in LicenceVersion.objects.filter(
            licence__state=LicenceState.REVOKED, kind=VersionKind.REVOKE
        ).order_by("version")
    }
    entries = []
    for licence in licences:
        revoked = revocations.get(licence.pk, licence.current)
        entries.append(
            {
                "licence": licence_prefix(licence.current.identifier),
                "identifiers": by_licence.get(licence.pk, []),
                "revoked_at": revoked.issued_at.isoformat(timespec="seconds"),
                "reason": revoked.reason,
            }
        )
    entries.sort(key=lambda e: (e["revoked_at"], e["licence"]))
    return entries


@dataclass(frozen=True)
class SignedList:
    text: str  # the canonical JSON the signature covers
    signature: str  # base64 DER SM2 signature
    key_id: str
    generated_at: str
    count: int

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32] + '"'


def revocation_list() -> SignedList:
    """The signed revocation list; unchanged revocations give the very same document."""
    root = signing.root_key()
    entries = revocation_entries()
    content_hash = hashlib.sha256(canonical.dumps(entries).encode("utf-8")).hexdigest()
    cache_key = f"licences:revocations:{root.key_id}:{content_hash}"
    cached = cache.get(cache_key)
    if cached is not None:
        return SignedList(**cached)
    generated_at = timezone.now().isoformat(timespec="seconds")
    text = canonical.dumps(
        {
            "format": REVOCATIONS_FORMAT,
            "generated_at": generated_at,
            "key_id": root.key_id,
            "revocations": entries,
        }
    )
    signed = SignedList(
        text=text,
        signature=signing.b64(signing.sign(root, text.encode("utf-8"))),
        key_id=root.key_id,
        generated_at=generated_at,
        count=len(entries),
    )
    cache.set(cache_key, asdict(signed), _SIGNED_CACHE_SECONDS)
    return signed


# --- public verification ----------------------------------------------------------------

INPUT_LABELS = {"identifier": "证照标识", "payload": "二维码内容", "q": "证照标识或二维码内容"}
MAX_INPUT = 4000


def verification_text(text: str) -> str:
    """The identifier or QR payload inside what was typed, scanned or pasted: a
    verification URL carries it as ``?p=`` (the QR) or ``?id=`` (a link to a licence)."""
    text = (text or "").strip()
    if "?" in text and not verification.is_payload(text):
        query = parse_qs(urlsplit(text).query)
        for key in ("p", "id"):
            if query.get(key):
                return query[key][0].strip()
    return text


def check_input(text: str, field: str) -> str:
    """Refuse what cannot be a licence identifier or QR payload (naming the rule), so
    that ``unknown`` answers mean "well-formed, but no such licence or a bad signature"."""
    label = INPUT_LABELS.get(field, field)
    text = verification_text(text)
    if not text:
        raise refuse(field, "required", f"请填写“{label}”。")
    if len(text) > MAX_INPUT:
        raise refuse(field, "max_length", f"“{label}”不能超过{MAX_INPUT}个字符。")
    if verification.is_payload(text):
        try:
            verification.read_payload(text)
        except ValueError:
            raise refuse(
                field, "malformed", f"“{label}”无法识别：不是完整的电子证照二维码内容。"
            ) from None
        return text
    try:
        identifiers.parse(text)
    except Refusal as exc:
        raise refuse(field, "invalid", f"“{label}”不正确：{exc.message}") from None
    return text.upper()


def verify_public(text: str, *, field: str, channel: str) -> dict:
    """A public verification: nothing about the asker is stored (no ``LicenceUse``);
    the call is logged with the identifier and the answer only."""
    text = check_input(text, field)
    answer = verification.verify(text)
    logger.info(
        "licence verification via %s: %s -> %s (signature %s)",
        channel,
        answer.get("identifier") or "-",
        answer["status"],
        "ok" if answer.get("signature_valid") else "failed",
    )
    return answer
