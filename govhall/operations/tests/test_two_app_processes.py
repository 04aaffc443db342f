"""Two app processes (gunicorn) behind one address share their rate limits and lockouts:
the limits count in Redis (a redis-server of the test's own, on a free port), the
lockout in the database; the client address is what the proxy saw.

Requests come from two loopback addresses (127.0.0.2 and 127.0.0.3), as two clients
behind the proxy; each also sends a rotating X-Forwarded-For of its own, which changes
nothing.
"""

from __future__ import annotations

import http.client
import re
import shutil
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from .processes import (
    Process,
    environment,
    free_port,
    gunicorn,
    http_ok,
    share_database,
    wait_for,
)
from .proxy import RoundRobinProxy

REDIS = shutil.which("redis-server")
PROGRESS = "/api/v1/cases/44070325083258X20261207000001/progress?applicant_id=x"


class Browser:
    """A client on its own loopback address, keeping cookies."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        self.spoof = 0

    def request(self, method: str, path: str, form: dict | None = None, raw: bool = False):
        self.spoof += 1
        headers = {"X-Forwarded-For": f"198.51.100.{self.spoof % 250}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            text = content if raw else content.decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return response.status, text, response.headers
        finally:
            connection.close()

    def login(self, username: str, password: str) -> str:
        _status, page, _headers = self.request("GET", "/account/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        _status, text, _headers = self.request(
            "POST",
            "/account/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        return text


@pytest.fixture
def redis_url(tmp_path):
    if REDIS is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = Process(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        {"PATH": "/usr/bin:/bin"},
        tmp_path / "redis.log",
    )
    try:
        wait_for(lambda: "Ready to accept connections" in server.output(), 20, "redis", [server])
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_limits_and_lockouts_hold_across_two_app_processes(
    transactional_reference_data, tmp_path, redis_url
):
    from django.contrib.auth.hashers import make_password

    from tests.factories import UserFactory

    user = UserFactory(username="shared_lockout")
    # A production hasher: the app processes do not know the tests' fast one.
    user.password = make_password("Correct-horse-2026", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    database = share_database(tmp_path)
    env = environment(
        database,
        REDIS_URL=redis_url,
        GOVHALL_TRUSTED_PROXY_COUNT="1",
        GOVHALL_LOCKOUT_ADDRESS_FAILURES="8",
    )
    ports = [free_port(), free_port()]
    servers = [
        Process(
            gunicorn(port),
            env,
            tmp_path / f"app-{port}.log",
        )
        for port in ports
    ]
    try:
        wait_for(lambda: all(http_ok(p) for p in ports), 90, "two app processes", servers)
        with RoundRobinProxy(ports) as proxy:
            first, second = Browser(proxy.port, "127.0.0.2"), Browser(proxy.port, "127.0.0.3")

            # The progress query's 30 a minute: 30 answers, alternating between the
            # processes, then 429 — from whichever process answers the 31st.
            statuses = [first.request("GET", PROGRESS)[0] for _ in range(31)]
            assert 429 not in statuses[:30] and statuses[30] == 429, statuses
            assert set(proxy.served[-31:]) == set(ports)
            assert first.request("GET", PROGRESS)[0] == 429  # the other process agrees
            assert second.request("GET", PROGRESS)[0] == 404  # another client is not limited

            # Account lockout: five wrong passwords, spread over both processes, lock the
            # account on both; the right password is then refused too.
            for _ in range(5):
                first.login("shared_lockout", "wrong-password-1")
            assert "账号已锁定" in second.login("shared_lockout", "Correct-horse-2026")

            # Address lockout (8 failures here) counts the client behind the proxy:
            # the first client is stopped, the second is not.
            for i in range(8):
                first.login(f"guess-{i}", "wrong-password-1")
            assert "本机登录失败次数过多" in first.login("guess-x", "wrong-password-1")
            assert "本机登录失败次数过多" not in second.login("guess-y", "wrong-password-1")
    finally:
        codes = [server.stop() for server in servers]
    assert codes == [0, 0], [s.output()[-2000:] for s in servers]
    # gunicorn's access log shows the proxy as the peer, the app saw the clients.
    rows = database.query(
        "SELECT DISTINCT remote_addr FROM core_auditentry WHERE action = %s", ("login_failed",)
    )
    assert {row[0] for row in rows} == {"127.0.0.2", "127.0.0.3"}
