"""Which staff actions a user may take on a case now: the state table of
``transitions`` narrowed by the same post checks the ``handling`` services make, so the
list offers only buttons that will work."""

from __future__ import annotations

from ..models import Case, CaseStep, StepState
from ..services import access, handling, transitions
from .serializers.staff import STAFF_ACTIONS


def current_step(steps: list[CaseStep]) -> CaseStep | None:
    return next((s for s in steps if s.state == StepState.OPEN), None)


def allowed(user, case: Case, steps: list[CaseStep]) -> tuple[list[dict], bool]:
    """``([{action, label}], my_task)`` for ``user`` on ``case``."""
    step = current_step(steps)
    mine = step is not None and access.can_do_step(user, step)
    names = set(handling.actions_for(case, user, step))
    out = [
        {"action": slug, "label": transitions.ACTION_LABELS[name]}
        for slug, name in STAFF_ACTIONS.items()
        if name in names
    ]
    return out, mine
