"""OpenSSL's own SM2 check, the verifier the tests trust independently of gmssl-pyx."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pkeyutl_verify(folder: Path, pem: str, message: bytes, signature: bytes) -> str:
    """``openssl pkeyutl -verify`` of a DER SM2 signature (SM3, default signer ID) over
    ``message`` with the PEM public key; returns what OpenSSL printed."""
    (folder / "issuer.pem").write_text(pem)
    (folder / "message").write_bytes(message)
    (folder / "signature.der").write_bytes(signature)
    result = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(folder / "issuer.pem"),
         "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
         "-in", str(folder / "message"), "-sigfile", str(folder / "signature.der")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    return result.stdout + result.stderr


def verifies(folder: Path, pem: str, message: bytes, signature: bytes) -> bool:
    return "Signature Verified Successfully" in pkeyutl_verify(folder, pem, message, signature)
