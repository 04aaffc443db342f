"""The live 亮证 code: a QR that carries a signed time and stops verifying after its window.

A static QR (``GHL1.…``, printed on the PDF) proves only that the licence exists; a
screenshot of it verifies for ever. The live code (``GHL2.…``) is the same compact
statement plus ``s`` (signed at, Unix seconds) and ``e`` (valid until), signed SM2-SM3
by the issuing department's active key at the moment the holder's page asks for it
(every ``REFRESH_SECONDS``). A verifier — the online page and API, or the offline
verifier with the published keys (``services.offline``) — accepts it only while
``s - CLOCK_SKEW <= now <= e``; after that the answer is "二维码已过期，请让持证人刷新".

``WINDOW_SECONDS`` is longer than the refresh so a code scanned just before the page
renews it still verifies; ``CLOCK_SKEW`` allows a verifier's clock to run behind.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .. import offline_verify
from ..models import LicenceVersion
from . import canonical, signing, verification

LIVE_PREFIX = verification.LIVE_PREFIX
REFRESH_SECONDS = offline_verify.REFRESH_SECONDS
WINDOW_SECONDS = offline_verify.WINDOW_SECONDS
CLOCK_SKEW = offline_verify.CLOCK_SKEW
EXPIRED_MESSAGE = offline_verify.EXPIRED_MESSAGE


def now() -> datetime.datetime:
    """The clock the live code reads (one place, so tests can move it)."""
    return timezone.now()


def _epoch(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def live_claims(version: LicenceVersion, key, at: datetime.datetime) -> dict:
    claims = verification.qr_claims(version)
    signed = _epoch(at)
    claims.update(k=key.key_id, s=signed, e=signed + WINDOW_SECONDS)
    return claims


def live_payload(version: LicenceVersion, at: datetime.datetime | None = None) -> dict:
    """A fresh live code: the payload, the verification URL it encodes, and its window."""
    at = at or now()
    key = signing.active_key(version.licence.issuer)
    claims = live_claims(version, key, at)
    body = canonical.dumps(claims).encode("utf-8")
    signature = signing.sign(key, body)
    payload = f"{LIVE_PREFIX}{verification.b64url(body)}.{verification.b64url(signature)}"
    return {
        "payload": payload,
        "signed_at": datetime.datetime.fromtimestamp(claims["s"], datetime.UTC),
        "expires_at": datetime.datetime.fromtimestamp(claims["e"], datetime.UTC),
        "refresh_seconds": REFRESH_SECONDS,
    }


def window_state(claims: dict, at: datetime.datetime | None = None) -> str:
    """``open``, ``expired``, ``future`` or ``malformed`` — the offline verifier's rule."""
    return offline_verify.window_state(claims, at or now())


def qr_info(claims: dict, state: str) -> dict:
    return {
        "kind": "live",
        "signed_at": datetime.datetime.fromtimestamp(claims["s"], datetime.UTC).isoformat(),
        "expires_at": datetime.datetime.fromtimestamp(claims["e"], datetime.UTC).isoformat(),
        "expired": state != "open",
    }
