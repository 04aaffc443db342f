"""The life of a warning: 预警 → 核实 (confirm, or dispute with evidence) → 整改 → 反馈 →
办结 by the supervising body; a dispute is decided by a supervisor. Every step locks the
warning, checks who may take it, writes one trail entry and one audit entry, atomically.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.core.errors import deny, refuse
from govhall.core.services import audit

from ..models import Warning, WarningState
from . import access
from .detection import _trail, response_due, today

S = WarningState
DEPARTMENT, SUPERVISOR = "department", "supervisor"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    sources: tuple[str, ...]
    target: str
    by: str  # DEPARTMENT or SUPERVISOR
    note_required: bool = True
    takes_due_date: bool = False


ACTIONS: dict[str, Action] = {
    a.slug: a
    for a in (
        Action(
            "confirm",
            _("核实属实并整改"),
            (S.RAISED,),
            S.RECTIFYING,
            DEPARTMENT,
            takes_due_date=True,
        ),
        Action("dispute", _("申辩（附证据）"), (S.RAISED,), S.DISPUTED, DEPARTMENT),
        Action("reject-dispute", _("驳回申辩"), (S.DISPUTED,), S.RECTIFYING, SUPERVISOR),
        Action("accept-dispute", _("申辩成立，撤销预警"), (S.DISPUTED,), S.DISMISSED, SUPERVISOR),
        Action("answer", _("反馈整改情况"), (S.RECTIFYING,), S.ANSWERED, DEPARTMENT),
        Action("return", _("退回重新整改"), (S.ANSWERED,), S.RECTIFYING, SUPERVISOR),
        Action("close", _("办结"), (S.ANSWERED,), S.CLOSED, SUPERVISOR, note_required=False),
    )
}


def may_take(scope, warning: Warning, action: Action) -> bool:
    if action.by == DEPARTMENT:
        return access.is_department_of(scope, warning.department_code)
    return access.supervises(scope, warning.region_code)


def available(user, warning: Warning) -> list[Action]:
    scope = access.scope_of(user)
    return [
        a for a in ACTIONS.values() if warning.state in a.sources and may_take(scope, warning, a)
    ]


def take(
    user,
    warning: Warning,
    slug: str,
    *,
    note: str = "",
    due_date: datetime.date | None = None,
) -> Warning:
    """Take action ``slug`` on ``warning`` (which the caller may read)."""
    action = ACTIONS.get(slug)
    if action is None:
        raise refuse("action", "choice", "不支持的操作：" + ", ".join(ACTIONS))
    note = (note or "").strip()
    if action.note_required and not note:
        raise refuse("note", "required", "请填写说明（核实情况、申辩证据或整改情况）。")
    if len(note) > MAX_NOTE:
        raise refuse("note", "max_length", f"说明不能超过{MAX_NOTE}字。")
    if action.takes_due_date and due_date is not None and due_date < today():
        raise refuse("due_date", "min_value", "整改期限不能早于今天。")
    scope = access.scope_of(user)
    with transaction.atomic():
        locked = Warning.objects.select_for_update().select_related("rule").get(pk=warning.pk)
        if not may_take(scope, locked, action):
            who = "责任部门" if action.by == DEPARTMENT else "本级或上级效能监督人员"
            raise deny(f"只有{who}可以{action.label}。", field="action")
        if locked.state not in action.sources:
            raise refuse(
                "action",
                "transition_not_allowed",
                f"预警当前为“{locked.get_state_display()}”，不能{action.label}。",
            )
        before = {"state": locked.state, "due_date": locked.due_date}
        locked.state = action.target
        now = timezone.now()
        if action.target == S.RECTIFYING:
            locked.due_date = due_date or response_due(today(), locked.rule)
        if action.target == S.ANSWERED:
            locked.answered_at = now
        if action.target in (S.CLOSED, S.DISMISSED):
            locked.closed_at = now
        locked.save()
        with audit.deferred():
            _trail(locked, slug, before["state"], note, user)
            audit.record(
                audit.Action.TRANSITION,
                instance=locked,
                before=before,
                after={"state": locked.state, "due_date": locked.due_date},
                reason=f"{action.label}：{note}"[:500],
            )
    return locked
