"""Shared data of the supervision tests: pushed cases through the real exchange ingest,
local records written as the case engine writes them, and staff of both kinds."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from govhall.exchange.services import clients, ingest
from govhall.exchange.services.samples import CaseStory, case_number
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Post
from tests import common as f

PENGJIANG = "440703"
CHAOZHOU = "445100"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def civil_affairs() -> Department:
    return Department.objects.get(region_id=PENGJIANG, name="蓬江区民政局")


def county_client():
    client, _ = clients.register(
        "蓬江区网上办事分厅", "pengjiang-hall", "branch_hall", [PENGJIANG], rate_per_minute=600
    )
    return client


def story(item, serial: int = 1) -> CaseStory:
    department = civil_affairs()
    return CaseStory(item, department, case_number(department, serial))


def push(client, records: list[dict]) -> list[str]:
    return [r.status for r in ingest.ingest(client, records)]


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def local_record(
    number: str,
    department: Department,
    event: str,
    message_type: str,
    when: datetime.datetime,
    *,
    code: str = "",
    state: str = "in_progress",
    promised_due: datetime.date | None = None,
    statutory_due: datetime.date | None = None,
    details: dict | None = None,
) -> ProcessRecord:
    """A record as the hall's case engine appends it (source ``local``)."""
    code = code or f"{department.credit_code}XK00000001"
    payload = {
        "case_number": number,
        "implementation_code": code,
        "item_name": "城乡居民最低生活保障申请",
        "event": event,
        "message_type": message_type,
        "department": {"code": department.credit_code, "name": department.name},
        "region_code": department.region_id,
        "state": state,
        "promised_due": promised_due.isoformat() if promised_due else None,
        "statutory_due": statutory_due.isoformat() if statutory_due else None,
        "details": details or {},
    }
    if event == "submit":
        payload["applicant"] = {"kind": "person", "name": "陈志明"}
    return ProcessRecord.objects.create(
        record_id=uuid.uuid4(),
        case_number=number,
        implementation_code=code,
        message_type=message_type,
        event=event,
        occurred_at=when,
        region_code=department.region_id,
        department_code=department.credit_code,
        case_type="2",
        channel="online",
        payload=payload,
    )


def staff(post: str, department: Department):
    return f.staff(post, department)


def supervisor_of(region_code: str):
    """A supervisor post at the region's 政务服务数据管理局 (or its first department)."""
    department = (
        Department.objects.filter(region_id=region_code, is_active=True).order_by("pk").first()
    )
    return f.staff(Post.SUPERVISOR, department)
