"""Which staff actions a user may take on a case now, as the API lists them: the
registry's offer (``services.actions``: the guards the services enforce) under each
action's URL slug and the label for the user's task."""

from __future__ import annotations

from ..models import Case, CaseStep, StepState
from ..services import access, actions


def current_step(steps: list[CaseStep]) -> CaseStep | None:
    return next((s for s in steps if s.state == StepState.OPEN), None)


def allowed(user, case: Case, steps: list[CaseStep]) -> tuple[list[dict], bool]:
    """``([{action, label}], my_task)`` for ``user`` on ``case``."""
    step = current_step(steps)
    mine = step is not None and access.can_do_step(user, step)
    offers = actions.offered(case, user, step, task_known=True)
    return [{"action": o.action.slug, "label": o.label} for o in offers], mine
