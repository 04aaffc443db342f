"""Nothing is paid twice: concurrent clicks open one order; concurrent notifications of
the same payment move the case once. Real threads on the real database."""

import json
import subprocess
import sys
import textwrap

from django.db import connection

from .concurrency_script import THREADS

CHILD = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    import conftest
    conftest._load_reference_data()
    from govhall.payments.tests import concurrency_script
    print(json.dumps(concurrency_script.run()))
    """
)


def test_concurrent_clicks_and_racing_notifications_pay_once(
    tmp_path, settings, transactional_reference_data
):
    """SQLite's in-memory test database fails a waiting writer at once instead of queueing,
    so on SQLite this runs in a child process against a file database set up as in
    production; on PostgreSQL it runs on the test database itself."""
    if connection.vendor == "sqlite":
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            cwd=settings.BASE_DIR,
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_SETTINGS_MODULE": "govhall.settings",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'payments.sqlite3'}",
                "GOVHALL_VAR_DIR": str(tmp_path),
                "GOVHALL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
    else:
        from . import concurrency_script

        result = concurrency_script.run()
    assert result["failures"] == []
    assert result["orders"] == 1 and len(result["opened"]) == 1
    assert result["outcomes"].count("applied") == 1
    assert set(result["outcomes"]) <= {"applied", "duplicate"}
    assert result["logged"] == THREADS
    assert (result["pay_records"], result["conclude_records"]) == (1, 1)
    assert result["state"] == "concluded"
