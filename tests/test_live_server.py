"""The live server the browser tests drive sees the test database the tests write to."""

from django.db import connection


def test_the_live_server_shares_the_test_connection_on_sqlite(live_server):
    """Asked for first (no database fixture before it), the server still starts after
    the test database exists: on SQLite its request threads are handed the test's
    in-memory connection rather than opening second connections to the shared cache,
    which fail with "database table is locked" when two write at once."""
    override = live_server.thread.connections_override
    if connection.vendor == "sqlite":
        assert connection.is_in_memory_db()
        assert "default" in override and override["default"].is_in_memory_db()
    else:
        assert override == {}
