"""A case's process records: the exchange payload of a state change, appended with its
outbox row through ``govhall.records.services.stream``.

Called only from ``transitions`` inside the state change's transaction, so a record
exists exactly when the change committed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from govhall.records import events
from govhall.records.models import MessageType, ProcessRecord
from govhall.records.services import stream

from ..models import Case


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
    occurred_at: datetime.datetime,
    details: dict[str, Any] | None = None,
) -> ProcessRecord:
    """The record of ``event`` (an ``events.EVENTS`` code) on ``case`` as it is now."""
    message_type = events.get(event).message_type
    payload = {
        "format": events.FORMAT_VERSION,
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
    return stream.append(payload, occurred_at=occurred_at)
