"""Running a script of concurrent writers (the numbering and idempotency tests).

On PostgreSQL the script's threads write to the test database itself. SQLite's in-memory
test database fails a waiting writer at once instead of queueing, so there the script
runs in a child process against a file database set up as in production (WAL,
IMMEDIATE transactions: the writers queue, one after the other).
"""

import importlib
import json
import subprocess
import sys
import textwrap
import threading

from django.db import connection

CHILD = textwrap.dedent(
    """
    import importlib
    import json
    import sys
    import django
    django.setup()
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    import conftest
    conftest._load_reference_data()
    print(json.dumps(importlib.import_module(sys.argv[1]).run()))
    """
)


def run_writers(module: str, *, settings, tmp_path) -> dict:
    """``module.run()``'s result, from this process or from a child on a file database."""
    if connection.vendor != "sqlite":
        return importlib.import_module(module).run()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, module],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "govhall.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'writers.sqlite3'}",
            "GOVHALL_VAR_DIR": str(tmp_path),
            "GOVHALL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def at_once(work, count: int) -> list[str]:
    """``work(n)`` for n in range(count), in as many threads released together (a
    barrier), each closing its own connection; returns what any of them raised."""
    barrier, failures = threading.Barrier(count), []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(index)
        except Exception as exc:  # reported by the test
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return failures
