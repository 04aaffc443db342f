"""One client address for every limit, the lockout, the audit log and the logs:
X-Forwarded-For is believed only as far as the configured proxies go."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from govhall.core.models import AuditEntry
from govhall.operations.client import resolve

PROGRESS = "/api/v1/cases/44070325083258X20261207000001/progress?applicant_id=x"
LOGIN = "/account/login/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # local memory in these tests: counters of earlier tests start over
    yield
    cache.clear()


def test_without_trusted_proxies_the_header_is_ignored():
    assert resolve("203.0.113.9", "198.51.100.1") == "203.0.113.9"


@override_settings(GOVHALL_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_what_the_proxy_saw():
    # The client wrote "1.1.1.1" itself; nginx appended the address it saw.
    assert resolve("10.0.0.5", "1.1.1.1, 203.0.113.7") == "203.0.113.7"
    assert resolve("10.0.0.5", "203.0.113.7") == "203.0.113.7"
    assert resolve("10.0.0.5", "") == "10.0.0.5"  # not through the proxy
    assert resolve("10.0.0.5", "not-an-address") == "10.0.0.5"


@override_settings(GOVHALL_TRUSTED_PROXIES=["10.0.0.0/8", "192.168.1.0/24"])
def test_trusted_networks_are_walked_from_the_peer_backwards():
    assert resolve("10.0.0.5", "1.1.1.1, 203.0.113.7, 192.168.1.3") == "203.0.113.7"
    assert resolve("203.0.113.50", "1.1.1.1") == "203.0.113.50"  # peer is not a proxy
    assert resolve("10.0.0.5", "[2001:db8::1]:4711") == "2001:db8::1"


@pytest.mark.django_db
def test_a_rotating_forwarded_for_header_does_not_bypass_the_progress_limit(client):
    statuses = [
        client.get(PROGRESS, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(31)
    ]
    assert 429 not in statuses[:30]
    assert statuses[30] == 429


@pytest.mark.django_db
def test_a_rotating_header_does_not_bypass_the_licence_verify_limit(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "licence_verify": "3/minute",
        },
    }
    statuses = [
        client.post(
            "/api/v1/licences/verify",
            {"identifier": "x"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(4)
    ]
    assert statuses[:3] == [400, 400, 400] and statuses[3] == 429


@pytest.mark.django_db
@override_settings(GOVHALL_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_client_has_its_own_limit(client):
    for _ in range(30):
        assert client.get(PROGRESS, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code != 429
    assert client.get(PROGRESS, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not limited by the first one's calls.
    assert client.get(PROGRESS, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code != 429
    # Nor can the first escape by prepending addresses of its own.
    spoofed = client.get(PROGRESS, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert spoofed.status_code == 429


def _fail_login(client, forwarded_for: str, username: str = "nobody-here"):
    return client.post(
        LOGIN,
        {"username": username, "password": "wrong-password-1"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
@override_settings(GOVHALL_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_address_lockout_locks_only_that_client(client, settings):
    settings.GOVHALL_LOGIN_LOCKOUT = {**settings.GOVHALL_LOGIN_LOCKOUT, "address_failures": 3}
    for i in range(3):
        _fail_login(client, "203.0.113.7", username=f"guess-{i}")
    locked = _fail_login(client, "203.0.113.7", username="guess-4")
    assert "本机登录失败次数过多" in locked.content.decode()
    other = _fail_login(client, "203.0.113.8", username="guess-5")
    assert "本机登录失败次数过多" not in other.content.decode()
    # The audit log names the client, not the proxy.
    entry = AuditEntry.objects.filter(action="login_failed").order_by("-sequence").first()
    assert entry.remote_addr == "203.0.113.8"


@pytest.mark.django_db
def test_without_a_proxy_a_rotating_header_does_not_escape_the_address_lockout(client, settings):
    settings.GOVHALL_LOGIN_LOCKOUT = {**settings.GOVHALL_LOGIN_LOCKOUT, "address_failures": 3}
    for i in range(3):
        _fail_login(client, f"198.51.100.{i}", username=f"guess-{i}")
    locked = _fail_login(client, "198.51.100.99", username="guess-9")
    assert "本机登录失败次数过多" in locked.content.decode()
