"""Appending process records (the exchange format of docs/exchange.md) with their outbox row.

Called only from ``transitions`` inside the state change's transaction, so a record
exists exactly when the change committed.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone

from ..models import Case, MessageType, OutboxMessage, ProcessRecord

FORMAT_VERSION = "1.0"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def applicant_block(case: Case) -> dict[str, Any]:
    """The applicant as the exchange carries it: the ID number is never sent in clear here;
    the receiving platform gets the blind index or the credit code (docs/exchange.md)."""
    return {
        "kind": case.applicant_kind,
        "name": case.applicant_name,
        "id_type": "111" if case.applicant_kind == "person" else "001",
        "id_key": case.applicant_key,
        "contact_phone": case.contact_phone,
    }


def append(
    case: Case,
    *,
    event: str,
    message_type: str,
    occurred_at: datetime.datetime,
    details: dict[str, Any] | None = None,
) -> ProcessRecord:
    payload = {
        "format": FORMAT_VERSION,
        "case_number": case.number,
        "implementation_code": case.implementation_code,
        "item_name": case.item_name,
        "case_type": case.case_type,
        "channel": case.channel,
        "message_type": message_type,
        "event": event,
        "occurred_at": _iso(occurred_at),
        "department": {"code": case.department.credit_code, "name": case.department.name},
        "region_code": case.region_id,
        "state": case.state,
        "visits": case.visits,
        "promised_due": _iso(case.promised_due),
        "statutory_due": _iso(case.statutory_due),
    }
    if message_type == MessageType.APPLICATION:
        payload["applicant"] = applicant_block(case)
    if case.bundle_case_id:
        payload["bundle_number"] = case.bundle_case.number
    payload["details"] = {k: _iso(v) for k, v in (details or {}).items()}
    record_id = uuid.uuid4()
    payload["record_id"] = str(record_id)
    record = ProcessRecord.objects.create(
        record_id=record_id,
        case_number=case.number,
        implementation_code=case.implementation_code,
        message_type=message_type,
        event=event,
        occurred_at=occurred_at,
        region_code=case.region_id,
        department_code=case.department.credit_code,
        case_type=case.case_type,
        channel=case.channel,
        visits=case.visits,
        payload=payload,
    )
    OutboxMessage.objects.create(record=record)
    return record
