"""Hand-built process records for monitoring tests: a case is a few rows, written as a
branch hall would push them (monitoring reads only records)."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from govhall.records.models import ProcessRecord
from govhall.regions.models import Department

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def department_in(region_code: str) -> Department:
    return Department.objects.filter(region_id=region_code, is_active=True).order_by("pk").first()


def code_for(department: Department, item_type: str = "XK", serial: int = 1) -> str:
    return f"{department.credit_code}{item_type}{serial:08d}"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def record(number, code, department, region_code, message_type, event, when, **extra):
    return ProcessRecord.objects.create(
        record_id=uuid.uuid4(),
        case_number=number,
        implementation_code=code,
        message_type=message_type,
        event=event,
        occurred_at=when,
        region_code=region_code,
        department_code=department.credit_code,
        case_type=extra.get("case_type", "2"),
        channel=extra.get("channel", "online"),
        visits=extra.get("visits", 0),
        source=extra.get("source", "test"),
        payload=extra.get("payload") or {"case_number": number, "event": event},
    )


def case(
    number: str,
    region_code: str = "",
    *,
    channel: str = "online",
    visits: int = 0,
    concluded: datetime.datetime | None = None,
    applied: datetime.datetime | None = None,
    item_type: str = "XK",
    ending: str = "conclude",
    department: Department | None = None,
    code: str = "",
    source: str = "test",
) -> str:
    """Write a case's records: applied, accepted, one step, and (unless ``concluded`` is
    None) its end — a conclusion, or ``ending="withdraw"``. Returns the case number."""
    department = department or department_in(region_code)
    region_code = region_code or department.region_id
    code = code or code_for(department, item_type)
    applied = applied or (concluded - datetime.timedelta(days=3) if concluded else timezone.now())
    common = {"channel": channel, "visits": 0, "source": source}
    record(number, code, department, region_code, "0", "submit", applied, **common)
    record(
        number,
        code,
        department,
        region_code,
        "2",
        "accept",
        applied + datetime.timedelta(hours=2),
        **common,
    )
    record(
        number,
        code,
        department,
        region_code,
        "3",
        "complete_step",
        applied + datetime.timedelta(days=1),
        channel=channel,
        visits=visits,
    )
    if concluded is not None:
        message_type = "4"
        record(
            number,
            code,
            department,
            region_code,
            message_type,
            ending,
            concluded,
            channel=channel,
            visits=visits,
        )
    return number
