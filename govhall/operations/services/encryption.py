"""Streaming authenticated encryption for backup bundles (AES-256-GCM, STREAM).

A backup may be larger than memory, and one GCM message is limited to 64 GiB, so the
stream is cut into 1 MiB chunks, each sealed on its own with a nonce of a random
7-byte prefix, a 4-byte chunk counter and a 1-byte "last chunk" flag (the STREAM
construction of Hoang, Reyhanitabar, Rogaway and Vizár, as in age and Tink): chunks
cannot be reordered, dropped or cut off without the decryption failing. The key is
derived from the configured secret with scrypt and a random salt, so a long random key
(``secrets.token_urlsafe(32)``) and a passphrase both work.

Layout: ``GHBK1\\n`` ‖ salt (16) ‖ nonce prefix (7) ‖ { length (4, big-endian) ‖ sealed chunk }*.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"GHBK1\n"
CHUNK = 1024 * 1024
TAG = 16


class BundleError(Exception):
    """A bundle that cannot be read: wrong key, damaged, truncated or not a bundle."""


def derive(secret: str, salt: bytes) -> bytes:
    if not secret:
        raise BundleError("no key configured")
    return hashlib.scrypt(secret.encode(), salt=salt, n=2**15, r=8, p=1, maxmem=2**26, dklen=32)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A writable file object: what is written to it arrives sealed in ``sink``."""

    def __init__(self, sink, secret: str) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._aead = AESGCM(derive(secret, salt))
        self._header = MAGIC + salt + self._prefix
        self._sink = sink
        self._sink.write(self._header)
        self._buffer = bytearray()
        self._counter = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer.extend(data)
        while len(self._buffer) > CHUNK:  # keep at least one byte for the last chunk
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        if self._counter >= 2**32 - 1:
            raise BundleError("stream too long")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), plain, self._header)
        self._sink.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A readable file object over a sealed stream; raises ``BundleError`` on any
    tampering, a wrong key or a missing end."""

    def __init__(self, source, secret: str) -> None:
        header = source.read(len(MAGIC) + 16 + 7)
        if len(header) != len(MAGIC) + 23 or not header.startswith(MAGIC):
            raise BundleError("not a govhall backup stream")
        salt, self._prefix = header[len(MAGIC) : len(MAGIC) + 16], header[len(MAGIC) + 16 :]
        self._aead = AESGCM(derive(secret, salt))
        self._header, self._source = header, source
        self._counter, self._done = 0, False
        self._pending = b""

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        length = self._source.read(4)
        if len(length) != 4:
            raise BundleError("the stream ends before its last chunk (truncated)")
        (size,) = struct.unpack(">I", length)
        sealed = self._source.read(size)
        if len(sealed) != size or size < TAG or size > CHUNK + TAG:
            raise BundleError("damaged chunk")
        for last in (False, True):
            try:
                plain = self._aead.decrypt(
                    _nonce(self._prefix, self._counter, last), sealed, self._header
                )
            except InvalidTag:
                continue
            self._counter += 1
            if last:
                self._done = True
                if self._source.read(1):
                    raise BundleError("data after the last chunk")
            return plain
        raise BundleError("wrong key, or the backup was altered")

    def readinto(self, target) -> int:
        while not self._pending and not self._done:
            self._pending = self._next_chunk()
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count
