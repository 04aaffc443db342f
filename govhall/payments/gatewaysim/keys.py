"""The keys between the platform and the bundled gateway, as a real gateway has them.

* The gateway signs every response, notification and bill with its ECDSA P-256 key
  (SHA-256, DER signature, base64 in ``X-Gateway-Signature``); the merchant verifies with
  the gateway's public key (``public_key_pem``), like Alipay's RSA2 or WeChat Pay's
  platform certificate.
* The merchant (the platform) signs its requests with HMAC-SHA256 over
  ``METHOD\\nPATH\\nTIMESTAMP\\nBODY`` with the merchant secret (``X-Merchant-Signature``).

Both come from the environment: ``GOVHALL_PAYMENT_SIM_KEY`` (a PEM private key) and
``GOVHALL_PAYMENT_SIM_MERCHANT_SECRET``; without them (development, tests) each is derived
from ``SECRET_KEY`` so the two sides of one installation agree.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

MERCHANT_ID = "GOVHALL440000"
SIGNATURE_HEADER = "X-Gateway-Signature"
MERCHANT_SIGNATURE_HEADER = "X-Merchant-Signature"
TIMESTAMP_HEADER = "X-Merchant-Timestamp"
MERCHANT_HEADER = "X-Merchant-Id"


def _derived(label: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).digest()


@functools.cache
def private_key() -> ec.EllipticCurvePrivateKey:
    pem = os.environ.get("GOVHALL_PAYMENT_SIM_KEY", "")
    if pem:
        return serialization.load_pem_private_key(pem.encode(), password=None)
    scalar = int.from_bytes(_derived("gateway-sim-ecdsa"), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(scalar % (order - 1) + 1, ec.SECP256R1())


def public_key_pem() -> str:
    return (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def merchant_secret() -> bytes:
    secret = os.environ.get("GOVHALL_PAYMENT_SIM_MERCHANT_SECRET", "")
    return secret.encode() if secret else _derived("gateway-sim-merchant")


def sign(body: bytes) -> str:
    """The gateway's signature of ``body``."""
    signature = private_key().sign(body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode("ascii")


@functools.cache
def _public_key(pem: str):
    return serialization.load_pem_public_key(pem.encode("ascii"))


def verify(body: bytes, signature: str, public_pem: str) -> bool:
    """Whether ``signature`` is the gateway's over ``body`` (for the merchant side)."""
    try:
        raw = base64.b64decode(signature, validate=True)
        _public_key(public_pem).verify(raw, body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def merchant_signature(secret: bytes, method: str, path: str, timestamp: str, body: bytes) -> str:
    message = b"\n".join([method.upper().encode(), path.encode(), timestamp.encode(), body])
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
