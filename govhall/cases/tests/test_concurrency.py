"""Concurrent submissions: no duplicate case numbers, no double submission."""

import json
import subprocess
import sys
import textwrap

from django.db import connection

from .concurrency_script import PER_THREAD, THREADS

CHILD = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    import conftest
    conftest._load_reference_data()
    from govhall.cases.tests import concurrency_script
    print(json.dumps(concurrency_script.run()))
    """
)


def test_concurrent_submissions_get_unique_numbers_and_one_case_per_application(
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
                "DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}",
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
    assert len(result["numbers"]) == THREADS * PER_THREAD
    assert len(set(result["numbers"])) == len(result["numbers"])
    assert result["double_cases"] == 1
    assert len({tuple(answer) for answer in result["double_answers"]}) == 1
