"""Applying a case's state changes: the states each action may start from and the state
it leads to are the registry's (``actions.ACTIONS``); nothing else is possible.

Every change: lock the case row, check the state, apply, recompute the clocks, append one
process record (with its outbox row) and one audit entry, all in one transaction. An
action the current state does not allow is refused with a Chinese message naming the
state and the action.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.core.services import audit, calendar
from govhall.records.models import ProcessRecord

from ..models import Case, CaseState, CaseStep
from . import actions, clocks, records

S = CaseState

# Who handled a change, as its process record names them (``details.handler``): a staff
# member by name; these two for the applicant's own actions and the hall's automatic ones.
APPLICANT = "申请人"
SYSTEM = "系统"


def allowed_actions(case: Case) -> list[str]:
    """What the case's state allows (``actions.ACTIONS``), whoever asks."""
    return actions.allowed_in_state(case)


def is_allowed(case: Case, action: str) -> bool:
    return actions.is_allowed(case, action)


def lock(case: Case | int) -> Case:
    """Re-read the case under a row lock; call inside ``transaction.atomic()``."""
    pk = case.pk if isinstance(case, Case) else case
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "bundle_case")
        .get(pk=pk)
    )


def check(case: Case, action: str) -> str:
    """The state ``action`` leads to from the case's state, or the refusal naming both."""
    found = actions.state_refusal(case, actions.get(action))
    if found:
        raise found.error()
    return actions.get(action).target(case.state)


def handler_name(user) -> str:
    """How a record names the staff member who acted (``None``: the hall itself, 系统)."""
    if user is None:
        return SYSTEM
    return getattr(user, "display_name", "") or user.get_username()


def apply(
    case: Case,
    action: str,
    *,
    handler: str,
    details: dict[str, Any] | None = None,
    occurred_at: datetime.datetime | None = None,
    reason: str = "",
) -> ProcessRecord:
    """Move ``case`` (locked by the caller) through ``action``: save, record, audit.
    ``handler`` names who did it on the record (``handler_name``, ``APPLICANT``)."""
    target = check(case, action)
    before = case.state
    case.state = target
    clocks.recompute(case)
    case.save()
    CaseStep.objects.filter(case=case).exclude(case_state=target).update(case_state=target)
    return _record(case, action, before, details, occurred_at, reason, handler)


def record_submission(case: Case, details: dict[str, Any], *, handler: str) -> ProcessRecord:
    """The first record of a new case (申办): not a transition, the case's birth."""
    return _record(case, "submit", "", details, case.submitted_at, "", handler)


def _record(case, action, before, details, occurred_at, reason, handler) -> ProcessRecord:
    occurred_at = occurred_at or timezone.now()
    details = {**(details or {})}
    details.setdefault("handler", handler)
    record = records.append(
        case,
        event=action,
        occurred_at=occurred_at,
        details=details,
    )
    audit.record(
        AuditEntry.Action.TRANSITION if before else AuditEntry.Action.CREATE,
        instance=case,
        before={"state": before} if before else None,
        after={"state": case.state, "event": action, "record_id": str(record.record_id)},
        reason=reason or actions.label(action),
    )
    return record


def atomic_action(function):
    """Run a service function in a transaction (the locks it takes last until commit).

    Its audit entries are chained together at the end (``audit.deferred``: the chain
    head, one row every audited transaction locks, is held for the last insert and the
    commit only, and several entries cost one insert) and its dates are computed on one
    calendar snapshot (``calendar.pinned``: one version read instead of one per date).
    """

    def wrapper(*args, **kwargs):
        with transaction.atomic(), audit.deferred(), calendar.pinned():
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    wrapper.__wrapped__ = function
    return wrapper
