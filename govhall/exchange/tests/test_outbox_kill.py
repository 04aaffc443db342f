"""Outbox workers as real processes: two looping workers never send the same batch. The
done-when of §8 part 2 — a worker killed mid-delivery and restarted delivers every record
exactly once — runs over real cases in ``tests/integration/test_case_records_outbox.py``
with the helpers here.

A worker runs as a real ``manage.py deliver_outbox`` subprocess against the test data
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
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from govhall.records.models import OutboxMessage

from ..models import DeliveryAttempt
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
        # The test database's encrypted columns were written with this process's keys;
        # the worker refuses to start without them (system check govhall.E010).
        "GOVHALL_FIELD_KEY": django_settings.GOVHALL_FIELD_KEYS[0],
        "GOVHALL_BLIND_INDEX_KEY": django_settings.GOVHALL_BLIND_INDEX_KEY,
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
