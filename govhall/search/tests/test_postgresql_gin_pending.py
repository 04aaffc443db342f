"""PostgreSQL: every GIN index of the search documents keeps a short pending list, so a
lookup after writes does not read through megabytes of unmerged entries (issue 22,
point 5; migration 0007)."""

import pytest
from django.db import connection

from govhall.search import fulltext

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="GIN indexes and their pending lists exist on PostgreSQL only (SQLite uses FTS5)",
    ),
    pytest.mark.usefixtures("catalog"),
]

PAGE_KB = 8


def gin_options() -> dict[str, dict[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = 'search_itemdocument'::regclass AND a.amname = 'gin'"
        )
        return {
            name: dict(option.split("=", 1) for option in options or [])
            for name, options in cursor.fetchall()
        }


def pending_pages_after_writes(rounds: int = 30) -> dict[str, int]:
    """Rewrite every document ``rounds`` times (non-HOT: an indexed column changes),
    then merge each pending list and return how many pages it held."""
    with connection.cursor() as cursor:
        for name in fulltext.POSTGRES_GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
        for _ in range(rounds):
            cursor.execute("UPDATE search_itemdocument SET name_keys = name_keys || ' '")
        pages = {}
        for name in fulltext.POSTGRES_GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            pages[name] = cursor.fetchone()[0]
        return pages


def test_every_gin_index_has_the_short_pending_list_limit():
    options = gin_options()
    assert sorted(options) == sorted(fulltext.POSTGRES_GIN_INDEXES)  # none unbounded
    assert fulltext.POSTGRES_GIN_PENDING_LIST_LIMIT <= 256  # kB, not the 4 MB default
    for name, option in options.items():
        assert option.get("gin_pending_list_limit") == str(
            fulltext.POSTGRES_GIN_PENDING_LIST_LIMIT
        ), (name, option)
        assert option.get("fastupdate", "on") == "on", (name, option)


def test_writes_leave_at_most_the_limit_pending():
    bound = fulltext.POSTGRES_GIN_PENDING_LIST_LIMIT // PAGE_KB + 2  # one insert's overshoot
    pages = pending_pages_after_writes()
    assert all(n <= bound for n in pages.values()), pages
    # The same writes with the default limit leave more: the check above can fail.
    with connection.cursor() as cursor:
        for sql in fulltext.POSTGRES_GIN_UNBOUND:
            cursor.execute(sql)
    unbounded = pending_pages_after_writes()
    assert max(unbounded.values()) > bound, unbounded
