"""Encryption of personal data at rest and the blind index used to look it up.

ID numbers are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256, from ``cryptography``)
under ``settings.GOVHALL_FIELD_KEYS`` — the first key encrypts, every key decrypts, so
keys can be rotated. Because a Fernet token differs every time, equality lookups and
the "one account per ID number" uniqueness go through a *blind index*: HMAC-SHA256 of
the normalised number under a separate key. Without that key the index reveals nothing;
with it, nobody can reverse it but one can test a guessed number — so it is kept apart
from the database.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@functools.cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in settings.GOVHALL_FIELD_KEYS])


@functools.cache
def _index_key() -> bytes:
    return settings.GOVHALL_BLIND_INDEX_KEY.encode("utf-8")


@functools.cache
def _index_mac():
    """The keyed HMAC before any message: copied per value, so the key is not hashed
    again for each of a batch's thousands of ID numbers."""
    return hmac.new(_index_key(), digestmod=hashlib.sha256)


def _reset(*, setting: str, **kwargs) -> None:
    if setting in {"GOVHALL_FIELD_KEYS", "GOVHALL_BLIND_INDEX_KEY"}:
        _fernet.cache_clear()
        _index_key.cache_clear()
        _index_mac.cache_clear()


setting_changed.connect(_reset, dispatch_uid="govhall-accounts-crypto-reset")


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the current first key (for key rotation)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(kind: str, normalized: str) -> str:
    """Keyed hash of a normalised identifier; ``kind`` keeps ID numbers and phones apart."""
    mac = _index_mac().copy()
    mac.update(f"{kind}:{normalized}".encode())
    return mac.hexdigest()
