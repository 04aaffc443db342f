"""The done-when of §8 part 2: killing the outbox worker mid-delivery and restarting it
delivers every record exactly once to the parent.

The worker runs as a real ``manage.py deliver_outbox`` subprocess against the test data
(committed: ``transactional_db``). On PostgreSQL it uses the test database itself; on
SQLite, whose test database lives in memory, the data is copied to a file with the
backup API, the worker runs on that file, and the outcome is copied back before the
assertions.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from govhall.cases.models import OutboxMessage, ProcessRecord
from govhall.cases.tests import factories as f

from ..models import DeliveryAttempt
from ..services import outbox
from .receiver import CLIENT_ID, CLIENT_SECRET, Receiver, outbox_rows

LEASE_SECONDS = 1


class WorkerDatabase:
    """The database a worker subprocess sees: the test database on PostgreSQL, a file
    copy of the in-memory one on SQLite."""

    def __init__(self, tmp_path):
        self.sqlite = connection.vendor == "sqlite"
        self.path = tmp_path / "worker.sqlite3"

    @property
    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.path}"
        s = connection.settings_dict
        auth = quote(s["USER"] or "", safe="")
        if s["PASSWORD"]:
            auth += ":" + quote(s["PASSWORD"], safe="")
        host = s["HOST"] or "127.0.0.1"
        return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"

    def share(self) -> None:
        """After creating the data: make it visible to the worker."""
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()

    def collect(self) -> None:
        """After the worker is done: make its writes visible to this test's ORM."""
        if self.sqlite:
            source = sqlite3.connect(self.path)
            source.backup(connection.connection)
            source.close()


def worker_env(
    parent: Receiver, database: WorkerDatabase, tmp_path, lease: int = LEASE_SECONDS
) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
        "DATABASE_URL": database.url,
        "GOVHALL_VAR_DIR": str(tmp_path / "var"),
        "GOVHALL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "GOVHALL_EXCHANGE_URL": parent.url,
        "GOVHALL_EXCHANGE_TOKEN_URL": parent.token_url,
        "GOVHALL_EXCHANGE_CLIENT_ID": CLIENT_ID,
        "GOVHALL_EXCHANGE_CLIENT_SECRET": CLIENT_SECRET,
        "GOVHALL_EXCHANGE_LEASE_SECONDS": str(lease),
        "LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }


def start_worker(env, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_outbox", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, timeout: float, workers=()) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for worker in workers:
            if worker.poll() is not None:  # died early: show why
                out, err = worker.communicate()
                pytest.fail(f"worker exited with {worker.returncode}: {out}{err[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_and_restarted_delivers_every_record_exactly_once(
    transactional_reference_data, tmp_path, settings
):
    settings.GOVHALL_EXCHANGE_LEASE_SECONDS = LEASE_SECONDS
    dept = f.department("江门市民政局")
    for _ in range(3):  # real cases through the case services …
        f.submitted(f.item(dept))
    outbox_rows(2500)  # … and bulk rows for volume
    expected = {str(r) for r in ProcessRecord.objects.values_list("record_id", flat=True)}
    assert len(expected) > 2500
    in_order = [
        str(r)
        for r in OutboxMessage.objects.order_by("pk").values_list("record__record_id", flat=True)
    ]
    first_batch = in_order[:1000]
    database = WorkerDatabase(tmp_path)
    database.share()

    with Receiver() as parent:
        env = worker_env(parent, database, tmp_path)
        # the parent stores the first batch, then holds its answer: the worker is killed
        # after the parent committed and before it heard back
        parent.hang_next()
        worker = start_worker(env)
        wait_for(parent.hanging.is_set, 60, [worker])
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        parent.release()
        assert sorted(parent.stored) == sorted(first_batch)

        time.sleep(LEASE_SECONDS + 0.2)  # the killed worker's lease runs out
        again = subprocess.run(
            [sys.executable, "manage.py", "deliver_outbox"],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 0, again.stderr[-3000:]
        assert f"已送达{len(expected)}条过程信息" in again.stdout
    database.collect()

    # the parent holds every record, each stored exactly once
    assert set(parent.stored) == expected
    assert set(parent.stored.values()) == {1}
    # the interrupted batch was sent again and answered "duplicate" …
    hung, resent, *rest = parent.batches
    assert hung["record_ids"] == first_batch and hung["accepted"] == 1000
    assert resent["record_ids"] == first_batch and resent.get("duplicate") == 1000
    assert parent.received == Counter({rid: 2 if rid in first_batch else 1 for rid in expected})
    assert [b["records"] for b in rest] == [1000, len(expected) - 2000]
    # … and those duplicates were marked delivered, like everything else
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert not OutboxMessage.objects.filter(rejected_at__isnull=False).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxMessage.objects.exclude(last_error="").exists()

    # the attempt log shows the interrupted attempt, unfinished, then the good ones
    interrupted, *finished = DeliveryAttempt.objects.order_by("pk")
    assert interrupted.finished_at is None and interrupted.status_code is None
    assert interrupted.records == 1000 and str(interrupted.first_record) == first_batch[0]
    assert [a.status_code for a in finished] == [200, 200, 200]
    assert all(a.finished_at for a in finished)
    assert finished[0].duplicates == 1000 and finished[0].accepted == 0
    assert sum(a.accepted for a in finished) == len(expected) - 1000
    status = outbox.outbox_status()
    assert status["interrupted_attempts"] == 1 and status["pending"] == 0


def test_two_looping_workers_never_send_the_same_batch_and_stop_on_sigterm(
    transactional_reference_data, tmp_path
):
    outbox_rows(3000)
    database = WorkerDatabase(tmp_path)
    database.share()

    with Receiver() as parent:
        # a lease longer than the held answer: nobody may take over a live worker's batch
        env = worker_env(parent, database, tmp_path, lease=120)
        parent.hang_next()  # whoever claims first is held until the other has posted
        workers = [start_worker(env, "--loop", "--interval", "0.2") for _ in range(2)]
        try:
            wait_for(lambda: len(parent.batches) >= 2, 60, workers)
            parent.release()
            wait_for(lambda: len(parent.stored) == 3000, 60, workers)
        finally:
            parent.release()
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=60) for worker in workers]

    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
        assert "收到停止信号，退出" in out
    database.collect()

    first, second = parent.batches[:2]
    assert not set(first["record_ids"]) & set(second["record_ids"])
    assert first["token"] != second["token"]  # two workers, each with its own token
    assert set(parent.received.values()) == {1}  # nothing was ever sent twice
    assert len(parent.stored) == 3000
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    log = list(DeliveryAttempt.objects.all())
    assert len(log) == 3 and all(a.finished_at and a.status_code == 200 for a in log)
