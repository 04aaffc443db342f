"""Signed audit checkpoints outside the database: ``verify_audit`` catches what a
consistent chain hides — a cut-off tail with the head moved back, a deleted head row,
and a chain whose hashes were all recomputed after an edit."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govhall.core.models import AuditChainHead, AuditEntry
from govhall.core.services import audit
from govhall.operations import registry

from .helpers import raw_sql, record_some, verify

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


def checkpoint() -> str:
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    return out.getvalue()


def move_head_to(entry: AuditEntry | None) -> None:
    sequence, digest = (entry.sequence, entry.entry_hash) if entry else (0, "0" * 64)
    raw_sql(f"UPDATE {HEAD} SET sequence = %s, entry_hash = %s WHERE id = 1", [sequence, digest])


def test_a_checkpoint_is_a_signed_line_appended_outside_the_database(settings):
    record_some(3)
    assert "已写入审计检查点" in checkpoint()
    lines = settings.GOVHALL_AUDIT_CHECKPOINTS.read_text().splitlines()
    (line,) = lines
    data = json.loads(line)
    head = AuditChainHead.objects.get(pk=1)
    assert (data["sequence"], data["entry_hash"]) == (head.sequence, head.entry_hash)
    assert data["format"] == "govhall-audit-checkpoint/1" and data["signature"]
    # The same head is not written twice; a new head is appended after the first line.
    assert "链头未变化" in checkpoint()
    record_some(1)
    checkpoint()
    lines_after = settings.GOVHALL_AUDIT_CHECKPOINTS.read_text().splitlines()
    assert len(lines_after) == 2 and lines_after[0] == line
    out, _ = verify()
    assert "审计链完整" in out and "与签名检查点一致" in out


def test_truncation_with_the_head_moved_back_is_found(settings):
    entries = record_some(4)
    checkpoint()
    signed_up_to = AuditChainHead.objects.get(pk=1).sequence
    # The attacker deletes the last two entries and moves the head back to match:
    # the chain itself is consistent again.
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence > %s", [entries[1].sequence])
    move_head_to(AuditEntry.objects.get(pk=entries[1].pk))
    head = AuditChainHead.objects.get(pk=1)
    assert head.sequence == entries[1].sequence
    with pytest.raises(CommandError, match="审计链验证失败"):
        verify()
    assert "截短" in verify.stderr
    assert f"确认到第{signed_up_to}条，日志现在只到第{entries[1].sequence}条" in verify.stderr


def test_a_deleted_head_row_is_found_with_or_without_checkpoints():
    record_some(2)
    raw_sql(f"DELETE FROM {HEAD}")
    with pytest.raises(CommandError):
        verify()
    assert "审计链头记录缺失" in verify.stderr


def test_rechaining_after_an_edit_is_found(settings):
    entries = record_some(4)
    checkpoint()
    # Edit entry 2 and recompute every later hash, head included: the chain verifies
    # on its own, only the signed checkpoint disagrees.
    previous = AuditEntry.objects.get(pk=entries[0].pk).entry_hash
    later = AuditEntry.objects.filter(sequence__gte=entries[1].sequence).order_by("sequence")
    for row in later:
        if row.pk == entries[1].pk:
            row.reason = "伪造的说明"
        row.previous_hash = previous
        row.entry_hash = audit.compute_hash(row)
        raw_sql(
            f"UPDATE {TABLE} SET reason = %s, previous_hash = %s, entry_hash = %s WHERE id = %s",
            [row.reason, row.previous_hash, row.entry_hash, row.pk],
        )
        previous = row.entry_hash
    last = AuditEntry.objects.order_by("sequence").last()
    move_head_to(last)
    assert not [p for p in audit.verify_chain() if "检查点" not in p.message]
    with pytest.raises(CommandError):
        verify()
    assert "重链" in verify.stderr and f"第{last.sequence}条" in verify.stderr


def test_an_edited_checkpoint_line_fails_its_signature(settings):
    record_some(2)
    checkpoint()
    where = settings.GOVHALL_AUDIT_CHECKPOINTS
    data = json.loads(where.read_text())
    data["sequence"] -= 1  # "the log was shorter": an attempt to excuse a truncation
    where.write_text(json.dumps(data) + "\n")
    with pytest.raises(CommandError):
        verify()
    assert "签名无效" in verify.stderr
    where.write_text("not json\n")
    with pytest.raises(CommandError):
        verify()
    assert "第1行无法读取" in verify.stderr


def test_the_hourly_job_writes_checkpoints():
    registered = registry.get("audit_checkpoint")
    assert registered.schedule.seconds == 3600
    record_some(1)
    assert registered.func() == {"sequence": AuditChainHead.objects.get().sequence, "written": True}
    assert registered.func()["written"] is False


def test_the_operations_page_warns_when_entries_wait_unsigned(settings):
    import datetime

    from django.utils import timezone

    from govhall.operations.services import figures

    record_some(2)
    assert figures.checkpoint_alert() == ""  # fresh entries: the hourly job will sign them
    three_hours_ago = timezone.now() - datetime.timedelta(hours=3)
    oldest = AuditEntry.objects.order_by("sequence").first()  # the first one unsigned
    AuditEntry.objects.filter(pk=oldest.pk).update(occurred_at=three_hours_ago)
    assert "3小时未被签名检查点覆盖" in figures.checkpoint_alert()
    checkpoint()
    assert figures.checkpoint_alert() == ""
