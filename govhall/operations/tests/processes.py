"""Helpers for tests that run the app in other processes against the test database.

``shared_database`` gives a URL those processes can open: the PostgreSQL test database
itself, or, on SQLite (whose test database lives in this process's memory), a file
copied from it with SQLite's backup API. Ports are chosen free at run time, and every
process started is stopped — its whole process group — when the test ends.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

ROOT = Path(settings.BASE_DIR)


@dataclass
class SharedDatabase:
    url: str
    vendor: str
    path: Path | None = None  # the SQLite copy

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read what the other processes wrote (on SQLite they wrote to the copy)."""
        if self.path is not None:
            with contextlib.closing(sqlite3.connect(self.path, timeout=20)) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connections["default"].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def share_database(directory: Path) -> SharedDatabase:
    """Committed rows of the test database, reachable from another process."""
    conn = connections["default"]
    conn.ensure_connection()
    if conn.vendor == "sqlite":
        path = directory / "shared.sqlite3"
        with contextlib.closing(sqlite3.connect(path)) as target:
            conn.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        return SharedDatabase(f"sqlite:///{path}", "sqlite", path)
    s = conn.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return SharedDatabase(url, "postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database: SharedDatabase, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="govhall.settings",
        DATABASE_URL=database.url,
        GOVHALL_VAR_DIR=str(settings.VAR_DIR),  # the same key files as this process
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


class Process:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> int:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._log.close()
        return self.popen.returncode


def gunicorn(port: int) -> list[str]:
    """The app served as in production (one sync worker), on ``port``."""
    return [
        sys.executable, "-m", "gunicorn", "govhall.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-",
    ]  # fmt: skip


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def wait_for(check, seconds: float, what: str, processes=()) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        for process in processes:
            if not process.alive():
                raise AssertionError(f"{what}: a process exited early:\n{process.output()[-3000:]}")
        time.sleep(0.1)
    logs = "\n".join(p.output()[-2000:] for p in processes)
    raise AssertionError(f"{what}: not within {seconds} s\n{logs}")


def http_ok(port: int, path: str = "/healthz") -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()
