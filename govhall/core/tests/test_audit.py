"""The hash-chained audit log: appending, automatic auditing, and ``verify_audit``."""

import itertools
import json
import subprocess
import sys
import textwrap
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client

from govhall.core import context
from govhall.core.models import AuditChainHead, AuditEntry
from govhall.core.services import audit
from govhall.regions.models import Department
from tests.factories import DepartmentFactory, UserFactory

from .helpers import admin_form_data, raw_sql, record_some, verify

TABLE = AuditEntry._meta.db_table


def entries_for(instance):
    return AuditEntry.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("sequence")


class TestRecord:
    def test_entries_are_chained(self, db):
        first, second = record_some(2)
        assert second.sequence == first.sequence + 1
        assert second.previous_hash == first.entry_hash
        assert first.entry_hash != second.entry_hash
        head = AuditChainHead.objects.get(pk=1)
        assert (head.sequence, head.entry_hash) == (second.sequence, second.entry_hash)

    def test_the_hash_is_of_what_the_database_keeps(self, db):
        entry = audit.record(
            audit.Action.OTHER,
            object_type="test.thing",
            after={"when": "2026-11-21", "amount": 12.5, "names": ["甲", "乙"], "n": None},
        )
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert len(stored.entry_hash) == 64
        assert audit.compute_hash(stored) == stored.entry_hash == entry.entry_hash

    def test_the_first_entry_follows_the_genesis_hash(self, db):
        record_some(1)
        first = AuditEntry.objects.order_by("sequence").first()
        assert first.sequence == 1
        assert first.previous_hash == "0" * 64

    def test_several_records_in_one_transaction_are_contiguous(self, db):
        start = AuditChainHead.objects.get(pk=1).sequence
        with transaction.atomic():
            entries = record_some(5)
        assert [e.sequence for e in entries] == list(range(start + 1, start + 6))
        assert all(b.previous_hash == a.entry_hash for a, b in itertools.pairwise(entries))

    def test_a_rolled_back_record_leaves_no_gap(self, db):
        start = AuditChainHead.objects.get(pk=1).sequence
        with transaction.atomic():
            record_some(2)
            transaction.set_rollback(True)
        (entry,) = record_some(1)
        assert entry.sequence == start + 1
        verify()

    def test_deferred_entries_are_chained_together_when_the_block_ends(self, db):
        start = AuditChainHead.objects.get(pk=1).sequence
        with transaction.atomic(), audit.deferred():
            entries = record_some(2)
            with audit.deferred():  # a nested block chains with the outermost
                entries += record_some(1)
            assert [e.sequence for e in entries] == [None] * 3
            assert AuditChainHead.objects.get(pk=1).sequence == start  # head not taken yet
        assert [e.sequence for e in entries] == [start + 1, start + 2, start + 3]
        stored = AuditEntry.objects.filter(sequence__gt=start).order_by("sequence")
        assert [e.object_id for e in stored] == ["0", "1", "0"]
        assert AuditChainHead.objects.get(pk=1).sequence == start + 3
        verify()

    def test_a_failed_deferred_block_chains_nothing(self, db):
        start = AuditChainHead.objects.get(pk=1).sequence
        with pytest.raises(RuntimeError), transaction.atomic(), audit.deferred():
            record_some(2)
            raise RuntimeError("业务检查失败")
        (entry,) = record_some(1)  # not deferred any more: chained at once
        assert entry.sequence == start + 1
        verify()

    def test_the_head_row_is_recreated_after_a_flush(self, db):
        AuditEntry.objects.all().delete()
        AuditChainHead.objects.all().delete()
        (entry,) = record_some(1)
        assert (entry.sequence, entry.previous_hash) == (1, "0" * 64)

    def test_actor_request_and_reason_come_from_the_context(self, db):
        user = UserFactory(username="clerk-1")
        with context.acting(
            user_id=user.pk,
            label="clerk-1",
            request_id="req-0123456789",
            remote_addr="10.1.2.3",
            reason="更正名称",
        ):
            entry = audit.record(audit.Action.OTHER, object_type="test.thing")
        assert entry.actor_id == user.pk
        assert entry.actor_label == "clerk-1"
        assert entry.request_id == "req-0123456789"
        assert entry.remote_addr == "10.1.2.3"
        assert entry.reason == "更正名称"

    def test_an_explicit_reason_wins_over_the_context(self, db):
        with context.acting(reason="上下文说明"):
            entry = audit.record(audit.Action.OTHER, object_type="test.thing", reason="明确说明")
        assert entry.reason == "明确说明"

    def test_without_a_context_the_actor_is_the_system(self, db):
        entry = audit.record(audit.Action.OTHER, object_type="test.thing")
        assert (entry.actor_id, entry.actor_label, entry.request_id) == (None, "system", "")

    def test_an_ipv6_address_is_stored_as_hashed(self, db):
        """PostgreSQL's inet (and Django) compress IPv6; the hash must be of that form."""
        with context.acting(remote_addr="2001:0DB8:0000:0000:0000:0000:0000:0001"):
            entry = audit.record(audit.Action.OTHER, object_type="test.thing")
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert stored.remote_addr == "2001:db8::1"
        assert audit.compute_hash(stored) == stored.entry_hash
        verify()

    def test_an_invalid_address_is_dropped_rather_than_failing_the_action(self, db):
        with context.acting(remote_addr="unknown"):
            entry = audit.record(audit.Action.OTHER, object_type="test.thing")
        assert AuditEntry.objects.get(pk=entry.pk).remote_addr is None

    def test_overlong_values_are_cut_to_their_columns(self, db):
        with context.acting(request_id="r" * 100, label="u" * 200):
            entry = audit.record(
                audit.Action.OTHER,
                object_type="t" * 150,
                object_id="9" * 80,
                object_repr="名" * 300,
            )
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert len(stored.request_id) == 64
        assert len(stored.actor_label) == 150
        assert (len(stored.object_type), len(stored.object_id)) == (100, 64)
        assert len(stored.object_repr) == 255
        assert audit.compute_hash(stored) == stored.entry_hash


class TestRegisteredModels:
    def test_create_update_delete_are_audited_with_only_changed_fields(self, db):
        assert audit.is_registered(Department)
        department = DepartmentFactory(name="测试审计局", short_name="审计")
        (created,) = entries_for(department)
        assert created.action == AuditEntry.Action.CREATE
        assert created.before is None
        assert created.after["name"] == "测试审计局"
        assert created.after["region_id"] == "440700"

        department.short_name = "审计二"
        department.save()
        updated = entries_for(department).last()
        assert updated.action == AuditEntry.Action.UPDATE
        assert updated.before == {"short_name": "审计"}
        assert updated.after == {"short_name": "审计二"}

        pk = department.pk
        department.delete()
        deleted = AuditEntry.objects.filter(object_type="regions.department", object_id=str(pk))
        deleted = deleted.order_by("sequence").last()
        assert deleted.action == AuditEntry.Action.DELETE
        assert deleted.before["name"] == "测试审计局"
        assert deleted.after is None

    def test_a_save_that_changes_nothing_is_not_recorded(self, db):
        department = DepartmentFactory()
        count = AuditEntry.objects.count()
        department.save()
        assert AuditEntry.objects.count() == count

    def test_queryset_update_bypasses_signals_by_design(self, db):
        """Bulk writes are audited by their service with one summary entry (see loading)."""
        department = DepartmentFactory()
        count = AuditEntry.objects.count()
        Department.objects.filter(pk=department.pk).update(short_name="批量")
        assert AuditEntry.objects.count() == count

    def test_the_acting_user_and_reason_are_recorded(self, db):
        user = UserFactory(username="reviewer-1")
        department = DepartmentFactory()
        with context.acting(user_id=user.pk, label=user.username, reason="机构改革更名"):
            department.short_name = "新简称"
            department.save()
        entry = entries_for(department).last()
        assert (entry.actor_id, entry.actor_label, entry.reason) == (
            user.pk,
            "reviewer-1",
            "机构改革更名",
        )


class TestSecrets:
    def test_a_password_never_appears_in_clear(self, db):
        user = get_user_model().objects.create_user(
            "secret-keeper", password="Plain-passphrase-2026"
        )
        (created,) = entries_for(user)
        assert created.after["password"] == "***"
        dumped = json.dumps(created.after, ensure_ascii=False)
        assert user.password not in dumped
        assert "Plain-passphrase-2026" not in dumped

    def test_a_password_change_is_recorded_without_the_password(self, db):
        user = UserFactory(username="changer")
        old_hash = user.password
        user.set_password("another-long-passphrase-2026")
        user.save()
        entry = entries_for(user).last()
        assert entry.action == AuditEntry.Action.UPDATE
        assert entry.before == {"password": "***"}
        assert entry.after == {"password": "***" + audit.CHANGED_MARK}
        dumped = json.dumps([entry.before, entry.after], ensure_ascii=False)
        assert old_hash not in dumped
        assert user.password not in dumped
        assert "another-long-passphrase-2026" not in dumped

    def test_explicit_before_and_after_are_scrubbed_too(self, db):
        entry = audit.record(
            audit.Action.OTHER,
            object_type="test.person",
            after={
                "id_number": "440703199001015140",
                "password": "plain-text",
                "agents": [{"id_number": "44070319900101514X", "client_secret": "s3cr3t"}],
            },
        )
        stored = AuditEntry.objects.get(pk=entry.pk).after
        assert stored == {
            "id_number": "4407**********5140",
            "password": "***",
            "agents": [{"id_number": "4407**********514X", "client_secret": "***"}],
        }


class TestThroughHttp:
    @pytest.fixture
    def admin(self, db):
        user = UserFactory(username="hall-admin", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(user)
        return user, client

    def test_an_admin_change_records_the_admin_and_the_request_id(self, admin):
        user, client = admin
        department = DepartmentFactory(short_name="旧简称")
        url = f"/admin/regions/department/{department.pk}/change/"
        data = admin_form_data(client.get(url)) | {"short_name": "新简称"}
        response = client.post(url, data, HTTP_X_REQUEST_ID="admin-change-0001")
        assert response.status_code == 302
        entry = entries_for(department).last()
        assert entry.action == AuditEntry.Action.UPDATE
        assert entry.after == {"short_name": "新简称"}
        assert entry.actor_id == user.pk
        assert entry.actor_label == "hall-admin"
        assert entry.request_id == response["X-Request-ID"] == "admin-change-0001"
        assert entry.remote_addr == "127.0.0.1"

    def test_a_generated_request_id_is_the_one_recorded(self, admin):
        _user, client = admin
        department = DepartmentFactory(short_name="旧")
        url = f"/admin/regions/department/{department.pk}/change/"
        data = admin_form_data(client.get(url)) | {"short_name": "新"}
        response = client.post(url, data)
        assert entries_for(department).last().request_id == response["X-Request-ID"]

    def test_a_password_set_through_the_admin_is_audited_masked(self, admin):
        user, client = admin
        target = UserFactory(username="window-clerk")
        old_hash = target.password
        response = client.post(
            f"/admin/accounts/user/{target.pk}/password/",
            {"password1": "Fresh-passphrase-2026", "password2": "Fresh-passphrase-2026"},
        )
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.password != old_hash
        entry = entries_for(target).last()
        assert entry.after["password"] == "***" + audit.CHANGED_MARK
        assert entry.actor_id == user.pk
        assert entry.request_id == response["X-Request-ID"]
        everything = json.dumps(list(AuditEntry.objects.values("before", "after")))
        assert target.password not in everything
        assert old_hash not in everything


class TestVerifyAudit:
    def test_an_untouched_chain_verifies(self, db):
        record_some(3)
        out, _err = verify()
        total = AuditEntry.objects.count()
        assert f"{total}条记录全部验证通过" in out
        assert list(audit.verify_chain()) == []

    def test_an_edited_row_fails_and_is_named(self, db):
        entries = record_some(3)
        target = entries[1]
        raw_sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["改过了", target.pk])
        with pytest.raises(CommandError, match="审计链验证失败"):
            verify()
        assert f"id={target.pk}" in verify.stderr
        assert f"第{target.sequence}条" in verify.stderr
        assert "篡改" in verify.stderr
        (problem,) = audit.verify_chain()
        assert (problem.sequence, problem.entry_id) == (target.sequence, target.pk)

    def test_an_edited_json_value_fails(self, db):
        department = DepartmentFactory(short_name="原")
        department.short_name = "改"
        department.save()
        entry = entries_for(department).last()
        raw_sql(f"UPDATE {TABLE} SET after = %s WHERE id = %s", ['{"short_name": "伪"}', entry.pk])
        with pytest.raises(CommandError):
            verify()
        assert f"id={entry.pk}" in verify.stderr

    def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(self, db):
        entries = record_some(3)
        target = AuditEntry.objects.get(pk=entries[1].pk)
        target.reason = "伪造"
        forged_hash = audit.compute_hash(target)
        raw_sql(
            f"UPDATE {TABLE} SET reason = %s, entry_hash = %s WHERE id = %s",
            ["伪造", forged_hash, target.pk],
        )
        problems = list(audit.verify_chain())
        assert [p.sequence for p in problems] == [entries[2].sequence]
        assert "前序哈希" in problems[0].message
        with pytest.raises(CommandError):
            verify()

    def test_a_deleted_middle_row_is_reported_missing(self, db):
        entries = record_some(3)
        raw_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
        with pytest.raises(CommandError):
            verify()
        missing = entries[1].sequence
        assert f"第{missing}至{missing}条缺失" in verify.stderr

    def test_a_deleted_last_row_is_detected_through_the_chain_head(self, db):
        entries = record_some(2)
        raw_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[-1].pk])
        with pytest.raises(CommandError):
            verify()
        assert "审计链头" in verify.stderr
        assert f"第{entries[-1].sequence}条" in verify.stderr

    def test_the_admin_cannot_edit_or_delete_entries(self, db):
        client = Client()
        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
        (entry,) = record_some(1)
        assert client.get("/admin/core/auditentry/").status_code == 200
        response = client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
        assert client.get("/admin/core/auditentry/add/").status_code == 403


# --- concurrent appends -------------------------------------------------------------------

WRITERS, PER_WRITER = 3, 20

CONCURRENT_APPENDS = textwrap.dedent(
    f"""
    import json, threading
    import django
    django.setup()
    from django.db import connection, transaction
    from govhall.core.models import AuditChainHead, AuditEntry
    from govhall.core.services import audit

    with connection.schema_editor() as editor:
        editor.create_model(AuditChainHead)
        editor.create_model(AuditEntry)
    barrier, failures = threading.Barrier({WRITERS}), []

    def writer(name):
        try:
            barrier.wait(timeout=10)
            for i in range({PER_WRITER}):
                with transaction.atomic():
                    audit.record("other", object_type="test.thread", object_id=f"{{name}}{{i}}")
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(str(n),)) for n in range({WRITERS})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    entries = AuditEntry.objects.order_by("sequence")
    print(json.dumps({{
        "failures": failures,
        "sequences": list(entries.values_list("sequence", flat=True)),
        "problems": [p.message for p in audit.verify_chain()],
    }}))
    """
)


@pytest.mark.django_db(transaction=True)
def test_appends_from_several_threads_are_serialised(tmp_path, settings):
    """Writers at once: sequence numbers stay unique and contiguous, the chain intact.

    On SQLite the appends queue on the IMMEDIATE write lock, on PostgreSQL on the head
    row's ``SELECT … FOR UPDATE``. SQLite's test database lives in memory with a shared
    cache, where a waiting writer fails at once instead of queueing, so on SQLite this
    runs in a child process against a file database configured as in production (WAL,
    IMMEDIATE); on PostgreSQL it runs on the test database itself.
    """
    if connection.vendor == "sqlite":
        result = _appends_in_a_child_process(tmp_path, settings.BASE_DIR)
    else:
        result = _appends_in_threads_here()
    assert result["failures"] == []
    first = result["sequences"][0]
    assert result["sequences"] == list(range(first, first + WRITERS * PER_WRITER))
    assert result["problems"] == []


def _appends_in_a_child_process(tmp_path, base_dir) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
        "GOVHALL_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_APPENDS],
        cwd=base_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _appends_in_threads_here() -> dict:
    barrier, failures = threading.Barrier(WRITERS), []

    def writer(name):
        try:
            barrier.wait(timeout=10)
            for i in range(PER_WRITER):
                with transaction.atomic():
                    audit.record(
                        audit.Action.OTHER, object_type="test.thread", object_id=f"{name}{i}"
                    )
        except Exception as exc:  # reported by the test; a thread's exception is otherwise lost
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(str(n),)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    sequences = AuditEntry.objects.filter(object_type="test.thread").order_by("sequence")
    return {
        "failures": failures,
        "sequences": list(sequences.values_list("sequence", flat=True)),
        "problems": [p.message for p in audit.verify_chain()],
    }
