"""Fixtures of the inbound exchange tests: a county's exchange client (蓬江区, 440703) with
its secret, a real token from /o/token/, and realistic process records of its cases."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from govhall.regions.models import Department, Post
from tests import common as f

from ..services import clients
from ..services.samples import CaseStory, case_number, iso  # noqa: F401  (used by the tests)
from .receiver import CLIENT_ID, CLIENT_SECRET, Receiver

PENGJIANG = "440703"  # 江门市蓬江区
JIANGHAI = "440704"  # 江门市江海区: outside the county client's reach
TANGXIA = "440703101"  # 蓬江区棠下镇: inside it


@pytest.fixture
def empty_cache():
    """Rate-limit counters live in the cache: each test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def civil_affairs() -> Department:
    return Department.objects.get(region_id=PENGJIANG, name="蓬江区民政局")


@pytest.fixture
def item(civil_affairs):
    """A promised item (承诺件) of 蓬江区民政局 in the catalogue."""
    return f.item(civil_affairs, name="城乡居民最低生活保障申请")


@pytest.fixture
def county():
    """The county system as a registered exchange client: ``(client, secret)``."""
    return clients.register(
        "蓬江区网上办事分厅",
        "pengjiang-hall",
        "branch_hall",
        [PENGJIANG],
        rate_per_minute=120,
    )


def token_for(client_id: str, secret: str, scope: str = "exchange") -> dict:
    """The token endpoint's answer for a client-credentials grant (HTTP Basic)."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    return {"status": response.status_code, **response.json()}


@pytest.fixture
def county_token(county) -> str:
    client, secret = county
    answer = token_for(client.application.client_id, secret)
    assert answer["status"] == 200, answer
    return answer["access_token"]


def push(token: str | None, body, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().post(
        "/api/v1/exchange/process-records",
        data=body,
        content_type="application/json",
        **headers,
        **extra,
    )


@pytest.fixture
def story(item, civil_affairs):
    def make(serial: int = 1, **kwargs) -> CaseStory:
        return CaseStory(item, civil_affairs, case_number(civil_affairs, serial), **kwargs)

    return make


def staff(post: str, department: Department):
    return f.staff(post, department)


POSTS = Post


@pytest.fixture
def parent(settings):
    """A parent hall on 127.0.0.1 with OAuth2 client credentials configured."""
    with Receiver() as receiver:
        settings.GOVHALL_EXCHANGE_URL = receiver.url
        settings.GOVHALL_EXCHANGE_TOKEN_URL = receiver.token_url
        settings.GOVHALL_EXCHANGE_CLIENT_ID = CLIENT_ID
        settings.GOVHALL_EXCHANGE_CLIENT_SECRET = CLIENT_SECRET
        settings.GOVHALL_EXCHANGE_TOKEN = ""
        settings.ADMINS = [("运维值班", "ops@example.cn")]
        yield receiver
