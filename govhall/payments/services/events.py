"""A payment event that is not a state change of the case (发起缴费, 订单关闭, 退费):
one process record of the case's stream and one audit entry, in the caller's transaction.
The state changes (核定收费 → 待缴费, 缴费到账) go through the case engine's transitions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from govhall.cases.models import Case
from govhall.cases.services import records
from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.records import events


def record(case: Case, event: str, *, instance, details: dict[str, Any], handler: str):
    record = records.append(
        case, event=event, occurred_at=timezone.now(), details={"handler": handler, **details}
    )
    audit.record(
        AuditEntry.Action.OTHER,
        instance=instance,
        after={**details, "event": event, "case": case.number, "record_id": str(record.record_id)},
        reason=events.label(event),
    )
    return record
