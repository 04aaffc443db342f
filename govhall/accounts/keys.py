"""Key material for identity, read by settings: from the environment, else a local file.

Production sets ``GOVHALL_OIDC_RSA_PRIVATE_KEY`` (PEM, or ``GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE``),
``GOVHALL_FIELD_KEY`` and ``GOVHALL_BLIND_INDEX_KEY``. A development machine (``DEBUG``
on) gets keys generated on first run under ``var/`` — never committed, never hard-coded —
so `make run` needs no set-up. Without DEBUG a missing key stops start-up: ID numbers
encrypted under a throw-away key would be lost.

This module must not import Django models: settings import it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

OIDC_KEY_FILE = "oidc_rsa_private.pem"
FIELD_KEY_FILE = "field.key"
INDEX_KEY_FILE = "blind_index.key"


def _create_once(path: Path, make: Callable[[], str]) -> str:
    """Write ``make()`` to ``path`` unless it exists. Safe when several processes race
    (test workers, web workers): each writes a private temporary file and links it into
    place; the first link wins and everybody reads the winner's complete file."""
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(make())
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    text = path.read_text(encoding="ascii").strip()
    if not text:
        raise ImproperlyConfigured(f"Key file {path} is empty.")
    return text


def _generate_rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _generate_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def oidc_private_key(var_dir: Path, debug: bool) -> str:
    """The RS256 signing key of the OpenID Connect provider (PEM)."""
    pem = os.environ.get("GOVHALL_OIDC_RSA_PRIVATE_KEY", "").strip()
    key_file = os.environ.get("GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE", "").strip()
    if not pem and key_file:
        pem = Path(key_file).read_text(encoding="ascii").strip()
    if pem:
        return pem.replace("\\n", "\n")
    if not debug:
        raise ImproperlyConfigured(
            "Set GOVHALL_OIDC_RSA_PRIVATE_KEY or GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE "
            "when DEBUG is off."
        )
    return _create_once(var_dir / OIDC_KEY_FILE, _generate_rsa_pem)


def field_keys(var_dir: Path, debug: bool) -> list[str]:
    """Fernet keys for personal data at rest: the first encrypts, all decrypt (rotation)."""
    current = os.environ.get("GOVHALL_FIELD_KEY", "").strip()
    old = [k.strip() for k in os.environ.get("GOVHALL_FIELD_OLD_KEYS", "").split(",") if k.strip()]
    if not current:
        if not debug:
            raise ImproperlyConfigured("Set GOVHALL_FIELD_KEY when DEBUG is off.")
        current = _create_once(var_dir / FIELD_KEY_FILE, _generate_fernet_key)
    return [current, *old]


def blind_index_key(var_dir: Path, debug: bool) -> str:
    """HMAC key of the ID-number blind index; unlike the field key it is never rotated."""
    key = os.environ.get("GOVHALL_BLIND_INDEX_KEY", "").strip()
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured("Set GOVHALL_BLIND_INDEX_KEY when DEBUG is off.")
    return _create_once(var_dir / INDEX_KEY_FILE, lambda: secrets.token_urlsafe(32))
