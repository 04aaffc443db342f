"""The one table of allowed case state changes, and the function that applies them.

Every change: lock the case row, check the table, apply, recompute the clocks,
append one process record (with its outbox row) and one audit entry, all in one
transaction. An action not in the table for the current state is refused with a
Chinese message naming the state and the action.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.core.errors import refuse
from govhall.core.models import AuditEntry
from govhall.core.services import audit

from ..models import Case, CaseState, CaseStep, MessageType, ProcessRecord
from . import clocks, records

S = CaseState

# (state, action) -> new state. Nothing else is possible.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SUBMITTED, "accept"): S.IN_PROGRESS,
    (S.SUBMITTED, "reject"): S.REJECTED,
    (S.SUBMITTED, "request_correction"): S.AWAITING_CORRECTION,
    (S.SUBMITTED, "auto_decide"): S.DECIDED,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.AWAITING_CORRECTION, "submit_correction"): S.SUBMITTED,
    (S.AWAITING_CORRECTION, "reject"): S.REJECTED,
    (S.AWAITING_CORRECTION, "withdraw"): S.WITHDRAWN,
    (S.IN_PROGRESS, "complete_step"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "return_step"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "decide"): S.DECIDED,
    (S.IN_PROGRESS, "start_special"): S.SUSPENDED,
    (S.IN_PROGRESS, "extend"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "withdraw"): S.WITHDRAWN,
    (S.SUSPENDED, "end_special"): S.IN_PROGRESS,
    (S.SUSPENDED, "extend"): S.SUSPENDED,
    (S.SUSPENDED, "withdraw"): S.WITHDRAWN,
    (S.DECIDED, "conclude"): S.CONCLUDED,
    (S.DECIDED, "request_review"): S.IN_PROGRESS,
    (S.CONCLUDED, "deliver"): S.CONCLUDED,
    (S.CONCLUDED, "rate"): S.CONCLUDED,
}

# The exchange message type each action is reported as (STANDARDS.md).
MESSAGE_TYPES: dict[str, str] = {
    "submit": MessageType.APPLICATION,
    "accept": MessageType.ACCEPTANCE,
    "reject": MessageType.ACCEPTANCE,
    "request_correction": MessageType.CORRECTION_NOTICE,
    "submit_correction": MessageType.CORRECTION_ACCEPTED,
    "auto_decide": MessageType.APPROVAL_STEP,
    "complete_step": MessageType.APPROVAL_STEP,
    "return_step": MessageType.APPROVAL_STEP,
    "decide": MessageType.APPROVAL_STEP,
    "request_review": MessageType.APPROVAL_STEP,
    "start_special": MessageType.SPECIAL_REQUEST,
    "extend": MessageType.SPECIAL_REQUEST,
    "end_special": MessageType.SPECIAL_RESULT,
    "conclude": MessageType.CONCLUSION,
    "withdraw": MessageType.CONCLUSION,
    "deliver": MessageType.COLLECTED,
    "rate": MessageType.RATING,
}

ACTION_LABELS = {
    "submit": "提交申请",
    "accept": "受理",
    "reject": "不予受理",
    "request_correction": "一次性告知补正",
    "submit_correction": "提交补正材料",
    "auto_decide": "秒批",
    "complete_step": "办理环节",
    "return_step": "退回环节",
    "decide": "作出决定",
    "request_review": "申请人工复核",
    "start_special": "启动特别程序",
    "extend": "延长办理时限",
    "end_special": "结束特别程序",
    "conclude": "办结",
    "withdraw": "撤回申请",
    "deliver": "送达/领取登记",
    "rate": "评价",
}


def allowed_actions(case: Case) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == case.state]


def is_allowed(case: Case, action: str) -> bool:
    return (case.state, action) in TRANSITIONS


def lock(case: Case | int) -> Case:
    """Re-read the case under a row lock; call inside ``transaction.atomic()``."""
    pk = case.pk if isinstance(case, Case) else case
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "bundle_case")
        .get(pk=pk)
    )


def check(case: Case, action: str) -> str:
    target = TRANSITIONS.get((case.state, action))
    if target is None:
        raise refuse(
            "action",
            "transition_not_allowed",
            f"办件{case.number}当前状态为“{CaseState(case.state).label}”，"
            f"不能“{ACTION_LABELS.get(action, action)}”。",
        )
    return target


def apply(
    case: Case,
    action: str,
    *,
    details: dict[str, Any] | None = None,
    occurred_at: datetime.datetime | None = None,
    reason: str = "",
) -> ProcessRecord:
    """Move ``case`` (locked by the caller) through ``action``: save, record, audit."""
    target = check(case, action)
    before = case.state
    case.state = target
    clocks.recompute(case)
    case.save()
    CaseStep.objects.filter(case=case).exclude(case_state=target).update(case_state=target)
    return _record(case, action, before, details, occurred_at, reason)


def record_submission(case: Case, details: dict[str, Any]) -> ProcessRecord:
    """The first record of a new case (申办): not a transition, the case's birth."""
    return _record(case, "submit", "", details, case.submitted_at, "")


def _record(case, action, before, details, occurred_at, reason) -> ProcessRecord:
    occurred_at = occurred_at or timezone.now()
    record = records.append(
        case,
        event=action,
        message_type=MESSAGE_TYPES[action],
        occurred_at=occurred_at,
        details=details,
    )
    audit.record(
        AuditEntry.Action.TRANSITION if before else AuditEntry.Action.CREATE,
        instance=case,
        before={"state": before} if before else None,
        after={"state": case.state, "event": action, "record_id": str(record.record_id)},
        reason=reason or ACTION_LABELS[action],
    )
    return record


def atomic_action(function):
    """Run a service function in a transaction (the locks it takes last until commit)."""

    def wrapper(*args, **kwargs):
        with transaction.atomic():
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    wrapper.__wrapped__ = function
    return wrapper
