"""Offline verifier for licence QR codes: the published keys, a clock, nothing else.

A counter without a network (or a third party that trusts only what the hall
publishes) saves ``/api/v1/licences/issuers`` and, optionally, the signed
``/api/v1/licences/revocations`` once, then checks any scanned code::

    python -m govhall.licences.offline_verify --issuers issuers.json \\
        [--revocations revocations.json] 'https://…/licences/verify/?p=GHL2.…'

It imports no Django and reads no database — only ``gmssl_pyx`` for SM2-SM3 — so it can
be copied onto a verifying machine. It checks the SM2 signature against the published
key named in the code, the licence's validity dates, the signed revocation list (its
own signature checked with the platform root key), and, for a live 亮证 code
(``GHL2.``), the signed window: outside it the answer is "二维码已过期，请让持证人刷新".
A static code (``GHL1.``, printed on the PDF) is answered with a warning that it proves
the licence, not that its holder is present.

The window rules live here and ``services.live`` imports them, so the online and the
offline verifier cannot disagree.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import json
import sys
from urllib.parse import parse_qs, urlsplit

import gmssl_pyx

STATIC_PREFIX = "GHL1."
LIVE_PREFIX = "GHL2."
REFRESH_SECONDS = 60  # the holder's page renews the code this often
WINDOW_SECONDS = 90  # a code verifies this long after it was signed
CLOCK_SKEW = 30  # a verifier's clock may run this far behind the hall's
EXPIRED_MESSAGE = "二维码已过期，请让持证人刷新"
STATIC_NOTE = "打印件上的静态二维码：只证明证照真实，不证明持证人本人在场。"

SIGNER_ID = b"1234567812345678"
_CURVE = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


def sm2_verify(public_key_hex: str, message: bytes, signature: bytes) -> bool:
    """SM2-SM3 with the default signer ID (GB/T 32918.2, GB/T 35276)."""
    try:
        public = bytes.fromhex(public_key_hex)
        entl = (len(SIGNER_ID) * 8).to_bytes(2, "big")
        z = gmssl_pyx.sm3_hash(entl + SIGNER_ID + _CURVE + public)
        return bool(
            gmssl_pyx.sm2_verify_sm3_digest(public, gmssl_pyx.sm3_hash(z + message), signature)
        )
    except (gmssl_pyx.GmsslInnerError, ValueError):
        return False


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload_of(text: str) -> str:
    text = (text or "").strip()
    if "?" in text and not text.startswith((STATIC_PREFIX, LIVE_PREFIX)):
        values = parse_qs(urlsplit(text).query).get("p")
        if values:
            return values[0].strip()
    return text


def window_state(claims: dict, now: datetime.datetime) -> str:
    """``open``, ``expired``, ``future`` (signed later than this clock allows) or ``malformed``."""
    signed, until = claims.get("s"), claims.get("e")
    if not isinstance(signed, int) or not isinstance(until, int) or until < signed:
        return "malformed"
    if until - signed > WINDOW_SECONDS:
        return "malformed"  # a code cannot grant itself a longer life than the hall's
    moment = int(now.timestamp())
    if moment < signed - CLOCK_SKEW:
        return "future"
    if moment > until:
        return "expired"
    return "open"


def _refused(reason: str, **extra) -> dict:
    return {"status": "unknown", "signature_valid": False, "reason": reason, **extra}


def revoked_identifiers(issuers: dict, revocations: dict) -> set[str] | None:
    """The identifiers in the signed revocation list, or None if its signature fails."""
    roots = {k["key_id"]: k for k in issuers.get("keys", []) if k.get("is_root")}
    root = roots.get(revocations.get("key_id"))
    if root is None:
        return None
    text = revocations.get("list", "")
    try:
        signature = base64.b64decode(revocations.get("signature", ""))
    except (binascii.Error, ValueError):
        return None
    if not sm2_verify(root["public_key_hex"], text.encode("utf-8"), signature):
        return None
    document = json.loads(text)
    return {i for entry in document.get("revocations", []) for i in entry.get("identifiers", [])}


def verify(
    text: str,
    issuers: dict,
    revocations: dict | None = None,
    now: datetime.datetime | None = None,
) -> dict:
    """The answer for one scanned code, from the published documents alone."""
    now = now or datetime.datetime.now(datetime.UTC)
    payload = payload_of(text)
    if not payload.startswith((STATIC_PREFIX, LIVE_PREFIX)):
        return _refused("不是电子证照二维码。")
    live = payload.startswith(LIVE_PREFIX)
    try:
        body_text, signature_text = payload[len(STATIC_PREFIX) :].split(".")
        body, signature = _unb64url(body_text), _unb64url(signature_text)
        claims = json.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return _refused("二维码内容无法识别。")
    if not isinstance(claims, dict) or not isinstance(claims.get("k"), str):
        return _refused("二维码内容无法识别。")
    keys = {k["key_id"]: k for k in issuers.get("keys", [])}
    key = keys.get(claims["k"])
    if key is None or not sm2_verify(key["public_key_hex"], body, signature):
        return _refused("二维码签名验证失败，内容可能被篡改或密钥未公示。")
    answer = {
        "identifier": claims.get("i"),
        "signature_valid": True,
        "type": claims.get("t"),
        "number": claims.get("n"),
        "holder": {"name": claims.get("h"), "code": claims.get("c")},
        "issuer": claims.get("o"),
        "valid_from": claims.get("f"),
        "valid_until": claims.get("u"),
        "qr": {"kind": "live" if live else "static"},
        "reason": "",
    }
    if live:
        state = window_state(claims, now)
        if state == "malformed":
            return _refused("二维码的签名时间无法识别。", identifier=claims.get("i"))
        answer["qr"].update(
            signed_at=datetime.datetime.fromtimestamp(claims["s"], datetime.UTC).isoformat(),
            expires_at=datetime.datetime.fromtimestamp(claims["e"], datetime.UTC).isoformat(),
            expired=state != "open",
        )
        if state == "expired":
            return {
                **answer,
                "status": "unknown",
                "status_label": EXPIRED_MESSAGE,
                "reason": EXPIRED_MESSAGE + "。",
            }
        if state == "future":
            return {
                **answer,
                "status": "unknown",
                "reason": "二维码的签名时间晚于当前时间，请核对核验设备的时间。",
            }
    else:
        answer["note"] = STATIC_NOTE
    if revocations is not None:
        revoked = revoked_identifiers(issuers, revocations)
        if revoked is None:
            return _refused("注销列表的签名验证失败，请重新下载。", identifier=claims.get("i"))
        if claims.get("i") in revoked:
            return {**answer, "status": "revoked", "reason": "该证照已被签发部门注销。"}
    today = now.date().isoformat()
    if answer["valid_until"] and answer["valid_until"] < today:
        return {**answer, "status": "expired", "reason": "该证照已超过有效期。"}
    return {**answer, "status": "valid"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="离线核验电子证照二维码（GHL1 静态码 / GHL2 亮证码）"
    )
    parser.add_argument("--issuers", required=True, help="保存的 /api/v1/licences/issuers")
    parser.add_argument("--revocations", help="保存的 /api/v1/licences/revocations（可选）")
    parser.add_argument("code", help="扫描得到的二维码内容或核验网址")
    args = parser.parse_args(argv)
    with open(args.issuers, encoding="utf-8") as handle:
        issuers = json.load(handle)
    revocations = None
    if args.revocations:
        with open(args.revocations, encoding="utf-8") as handle:
            revocations = json.load(handle)
    answer = verify(args.code, issuers, revocations)
    json.dump(answer, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0 if answer["status"] == "valid" else 1


if __name__ == "__main__":
    sys.exit(main())
