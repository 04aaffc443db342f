"""Fixtures of the inbound exchange tests: a county's exchange client (蓬江区, 440703) with
its secret, a real token from /o/token/, and realistic process records of its cases."""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from govhall.cases.tests import factories as f
from govhall.regions.models import Department, Post

from ..services import clients

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


def iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


class CaseStory:
    """The records of one case as a county system would push them."""

    def __init__(self, item, department: Department, number: str, *, region=PENGJIANG):
        self.item, self.department, self.number, self.region = item, department, number, region

    def record(self, message_type: str, at: datetime.datetime, state: str, **extra) -> dict:
        details = extra.pop("details", {})
        record = {
            "format": "1.0",
            "record_id": str(uuid.uuid4()),
            "case_number": self.number,
            "implementation_code": self.item.implementation_code,
            "item_name": self.item.name,
            "case_type": "2",
            "channel": "online",
            "message_type": message_type,
            "occurred_at": iso(at),
            "department": {"code": self.department.credit_code, "name": self.department.name},
            "region_code": self.region,
            "state": state,
            "visits": 0,
            "promised_due": None,
            "statutory_due": None,
            "details": details,
        }
        record.update(extra)
        return record

    def submit(self, at, **extra):
        return self.record(
            "0",
            at,
            "submitted",
            applicant={
                "kind": "person",
                "name": "陈志明",
                "id_type": "111",
                "id_key": hashlib.sha256(self.number.encode()).hexdigest(),
                "contact_phone": "13800138000",
            },
            details={"materials": ["申请书", "居民户口簿"], "bundle": None},
            **extra,
        )

    def step(self, code: str, name: str, at, **details):
        return {
            "step_code": code,
            "step_name": name,
            "action": "pass",
            "handler": "李晓华",
            "handler_department": self.department.credit_code,
            "opinion": details.pop("opinion", "同意"),
            "started_at": iso(at - datetime.timedelta(minutes=30)),
            "completed_at": iso(at),
            **details,
        }

    def accept(self, at, **extra):
        return self.record(
            "2",
            at,
            "in_progress",
            promised_due="2026-12-17",
            statutory_due="2026-12-31",
            details=self.step("0", "受理", at, accepted=True, document_number="受字〔2026〕1号"),
            **extra,
        )

    def approve_step(self, at, **extra):
        return self.record("3", at, "in_progress", details=self.step("1", "承办", at), **extra)

    def decide(self, at, **extra):
        return self.record(
            "3",
            at,
            "decided",
            details=self.step("3", "批准", at, decision="approve", reason=""),
            **extra,
        )

    def conclude(self, at, **extra):
        return self.record(
            "4",
            at,
            "concluded",
            details={
                "conclusion_code": "0",
                "decision": "approve",
                "result_name": "低保证",
                "result_number": "DB-2026-0001",
                "valid_until": None,
                "delivery": "electronic",
                "tracking_number": "",
                "fee": None,
            },
            **extra,
        )

    def whole(self, start) -> list[dict]:
        """申办 → 受理 → 承办 → 批准 → 办结, an hour apart."""
        hour = datetime.timedelta(hours=1)
        return [
            self.submit(start),
            self.accept(start + hour),
            self.approve_step(start + 2 * hour),
            self.decide(start + 3 * hour),
            self.conclude(start + 4 * hour),
        ]


def case_number(department: Department, serial: int) -> str:
    return f"{department.region_id}{department.credit_code[8:17]}20261203{serial:06d}"


@pytest.fixture
def story(item, civil_affairs):
    def make(serial: int = 1, **kwargs) -> CaseStory:
        return CaseStory(item, civil_affairs, case_number(civil_affairs, serial), **kwargs)

    return make


def staff(post: str, department: Department):
    return f.staff(post, department)


POSTS = Post
