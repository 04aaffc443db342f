"""Appending a local process record with its outbox row.

Called by the case engine inside the state change's transaction, so a record (and the
message that ships it to the parent hall) exists exactly when the change committed.
The record's columns are copied from the payload, which is the exchange format.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from .. import events
from ..models import OutboxMessage, ProcessRecord


def append(payload: dict[str, Any], *, occurred_at: datetime.datetime) -> ProcessRecord:
    """Store ``payload`` (a record in the exchange format, without its ``record_id``) as
    a local record with its outbox row; ``payload["event"]`` must be an event of
    ``events.EVENTS`` with its own message type."""
    event = events.get(payload["event"])
    if payload["message_type"] != event.message_type:
        raise ValueError(f"event {event.code} travels as message type {event.message_type}")
    record_id = uuid.uuid4()
    payload["record_id"] = str(record_id)
    record = ProcessRecord.objects.create(
        record_id=record_id,
        case_number=payload["case_number"],
        implementation_code=payload["implementation_code"],
        message_type=event.message_type,
        event=event.code,
        occurred_at=occurred_at,
        region_code=payload["region_code"],
        department_code=payload["department"]["code"],
        case_type=payload["case_type"],
        channel=payload["channel"],
        visits=payload["visits"],
        payload=payload,
    )
    OutboxMessage.objects.create(record=record)
    return record
