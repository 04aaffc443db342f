"""Concurrent submissions: no duplicate case numbers, no double submission."""

from .concurrency_script import PER_THREAD, THREADS
from .writers import run_writers


def test_concurrent_submissions_get_unique_numbers_and_one_case_per_application(
    tmp_path, settings, transactional_reference_data
):
    """SQLite's in-memory test database fails a waiting writer at once instead of queueing,
    so on SQLite this runs in a child process against a file database set up as in
    production; on PostgreSQL it runs on the test database itself."""
    result = run_writers(
        "govhall.cases.tests.concurrency_script", settings=settings, tmp_path=tmp_path
    )
    assert result["failures"] == []
    assert len(result["numbers"]) == THREADS * PER_THREAD
    assert len(set(result["numbers"])) == len(result["numbers"])
    assert result["double_cases"] == 1
    assert len({tuple(answer) for answer in result["double_answers"]}) == 1
