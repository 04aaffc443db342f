"""The live server the browser tests drive: its request threads see what the test
wrote, and answer requests that write at the same time as a hall in production does."""

from concurrent.futures import ThreadPoolExecutor
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import connection
from django.test import Client

from govhall.cases.tests import factories as f


def test_the_live_server_answers_writing_requests_at_once(live_server, transactional_db):
    """Asked for first (no database fixture before it), the server still starts on the
    test database; every request saves its session (SESSION_SAVE_EVERY_REQUEST), so
    sixteen at once are sixteen concurrent writers. On SQLite they each get a connection
    of their own to a file database — an in-memory one is reachable only through one
    shared connection, on which concurrent requests broke each other's transactions
    ("cannot open savepoint - SQL statements in progress") and lost the session."""
    assert live_server.thread.connections_override == {}
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db()
    cookies = []
    for _ in range(4):
        client = Client()
        client.force_login(f.applicant().user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)

    def fetch(n: int) -> tuple[int, str]:
        request = Request(
            f"{live_server.url}/my/cases/",
            headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[n % 4]}"},
        )
        with urlopen(request, timeout=30) as response:
            return response.status, response.geturl()

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(fetch, range(48)))
    assert answers == [(200, f"{live_server.url}/my/cases/")] * 48
