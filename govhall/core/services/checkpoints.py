"""Signed checkpoints of the audit chain, kept outside the database.

The chain alone cannot show that its tail was cut off together with the head row, nor
that someone with write access recomputed every hash after an edit: SHA-256 has no
secret. So, periodically (the ``audit_checkpoint`` job) and on demand (``manage.py
audit_checkpoint``), the head's sequence and hash are signed with the platform's SM2
root key (SM2-with-SM3, signer ID 1234567812345678, GB/T 35276) and appended as one JSON
line to ``settings.GOVHALL_AUDIT_CHECKPOINTS`` — a file the database writer cannot
rewrite (its own volume, ``chattr +a``; docs/deployment.md). ``verify_audit`` then
checks the chain against every checkpoint: an entry a checkpoint vouched for that is
gone is truncation, one whose hash differs is re-chaining.

The platform key is the licence subsystem's root key (its private half is encrypted
under ``GOVHALL_FIELD_KEYS`` from the environment), imported lazily: core does not need
the licence tables to run without checkpoints.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models.audit import GENESIS_HASH, AuditChainHead

FORMAT = "govhall-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    entry_hash: str
    at: str
    key_id: str
    public_key: str
    signature: str
    line: int

    def signed_text(self) -> bytes:
        return signed_bytes(self.sequence, self.entry_hash, self.at, self.key_id)


def signed_bytes(sequence: int, entry_hash: str, at: str, key_id: str) -> bytes:
    """What the signature covers: canonical JSON (sorted keys, no whitespace)."""
    document = {
        "at": at,
        "entry_hash": entry_hash,
        "format": FORMAT,
        "key_id": key_id,
        "sequence": sequence,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def path() -> Path:
    return Path(settings.GOVHALL_AUDIT_CHECKPOINTS)


def _signing():
    from govhall.licences.services import signing

    return signing


def current_head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return 0, GENESIS_HASH
    return head.sequence, head.entry_hash


def read() -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the file, and a problem for each line that is not one."""
    where = path()
    if not where.exists():
        return [], []
    checkpoints, problems = [], []
    with where.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                if data.get("format") != FORMAT:
                    raise ValueError("format")
                checkpoints.append(
                    Checkpoint(
                        sequence=int(data["sequence"]),
                        entry_hash=str(data["entry_hash"]),
                        at=str(data["at"]),
                        key_id=str(data["key_id"]),
                        public_key=str(data["public_key"]),
                        signature=str(data["signature"]),
                        line=number,
                    )
                )
            except (ValueError, KeyError, TypeError):
                problems.append(f"审计检查点文件第{number}行无法读取（格式不符）。")
    return checkpoints, problems


def latest() -> Checkpoint | None:
    checkpoints, _ = read()
    return checkpoints[-1] if checkpoints else None


def signature_valid(checkpoint: Checkpoint) -> bool:
    signing = _signing()
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except ValueError:
        return False
    return signing.verify(checkpoint.public_key, checkpoint.signed_text(), signature)


def write() -> tuple[Checkpoint, bool]:
    """Sign the current head and append it; (the checkpoint, whether a line was added).

    A head already checkpointed is not written twice (the job runs hourly on a quiet
    chain too)."""
    signing = _signing()
    key = signing.root_key()  # made on first use; that itself appends an audit entry
    sequence, entry_hash = current_head()
    last = latest()
    if last is not None and (last.sequence, last.entry_hash) == (sequence, entry_hash):
        return last, False
    at = timezone.now().isoformat(timespec="seconds")
    body = signed_bytes(sequence, entry_hash, at, key.key_id)
    line = {
        "format": FORMAT,
        "sequence": sequence,
        "entry_hash": entry_hash,
        "at": at,
        "key_id": key.key_id,
        "public_key": key.sm2_public_key,
        "signature": signing.b64(signing.sign(key, body)),
    }
    where = path()
    where.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"
    # O_APPEND: each line lands at the end even with two writers, and the file works
    # under ``chattr +a`` (append only), which refuses any other kind of write.
    descriptor = os.open(where, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, text.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    checkpoints, _ = read()
    return checkpoints[-1], True


def problems(
    checkpoints: list[Checkpoint], chain_hashes: dict[int, str], last_sequence: int
) -> list[str]:
    """Compare the chain (``sequence → entry_hash`` at the checkpoints' sequences, and
    the last sequence found) with the checkpoints; each problem names what it found."""
    found: list[str] = []
    if not checkpoints:
        return found
    platform_keys = _platform_public_keys()
    previous = None
    mismatch_reported = False
    for point in checkpoints:
        where = f"审计检查点（文件第{point.line}行，{point.at}，第{point.sequence}条）"
        if not signature_valid(point):
            found.append(f"{where}签名无效：检查点文件被改动。")
            continue
        if platform_keys is not None and point.public_key not in platform_keys:
            found.append(f"{where}的签名公钥不是平台根密钥（数据库中的根密钥被替换？）。")
        if previous is not None and point.sequence < previous.sequence:
            found.append(
                f"{where}比前一个检查点（第{previous.sequence}条）还短："
                "两次检查点之间审计日志被截短过。"
            )
        previous = point
        if point.sequence == 0:
            continue
        actual = chain_hashes.get(point.sequence)
        if point.sequence > last_sequence:
            found.append(
                f"审计日志被截短：{where}已签名确认到第{point.sequence}条，"
                f"日志现在只到第{last_sequence}条。"
            )
        elif actual is None:
            found.append(f"{where}确认的第{point.sequence}条审计日志缺失。")
        elif actual != point.entry_hash and not mismatch_reported:
            mismatch_reported = True
            found.append(
                f"审计链被重新计算（重链）：第{point.sequence}条的哈希与{where}签名的"
                f"哈希{point.entry_hash[:16]}…不符，现为{actual[:16]}…。"
            )
    return found


def _platform_public_keys() -> set[str] | None:
    """Public keys of the platform root (active and retired), or None without any."""
    from govhall.licences.models import IssuerKey

    keys = set(
        IssuerKey.objects.filter(department__isnull=True).values_list("sm2_public_key", flat=True)
    )
    return keys or None
