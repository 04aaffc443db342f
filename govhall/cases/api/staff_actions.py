"""Which staff actions a user may take on a case now: the state table of
``transitions`` narrowed by the same post checks the ``handling`` services make, so the
list offers only buttons that will work."""

from __future__ import annotations

from govhall.regions.models import Post
from govhall.regions.services.scope import scope_of

from ..models import Case, CaseStep, StepState
from ..services import access, transitions
from .serializers.staff import CONCLUDE_POSTS, STAFF_ACTIONS

CLERK_ONLY = {"accept", "reject", "request_correction"}


def _position(case: Case, step: CaseStep) -> tuple[bool, bool]:
    """(first, last) among the item's catalogue steps, as ``handling`` counts them."""
    names = [
        s.name for s in sorted(case.item_version.steps.all(), key=lambda s: (s.sort_order, s.pk))
    ]
    index = names.index(step.name) if step.name in names else len(names) - 1
    return index <= 0, index >= len(names) - 1


def current_step(steps: list[CaseStep]) -> CaseStep | None:
    return next((s for s in steps if s.state == StepState.OPEN), None)


def allowed(user, case: Case, steps: list[CaseStep]) -> tuple[list[dict], bool]:
    """``([{action, label}], my_task)`` for ``user`` on ``case``."""
    scope = scope_of(user)
    step = current_step(steps)
    mine = step is not None and access.can_do_step(user, step)
    by_state = set(transitions.allowed_actions(case))
    first = last = False
    if mine and step.code != "0":
        first, last = _position(case, step)
    checks = {
        "complete_step": mine and step.code != "0" and not last,
        "return_step": mine and step.code != "0" and not first,
        "decide": mine and step.code != "0" and last,
        "start_special": mine,
        "end_special": mine,
        "extend": scope.has_post(Post.APPROVER, case.department_id)
        and case.statutory_limit_days is not None,
        "conclude": scope.is_superuser
        or any(
            p in CONCLUDE_POSTS and d in (case.department_id, case.accepting_department_id)
            for p, d, _, _ in scope.posts
        ),
        "deliver": case.delivered_at is None,
    }
    out = []
    for slug, name in STAFF_ACTIONS.items():
        if name not in by_state:
            continue
        ok = (mine and step.post == Post.CLERK) if name in CLERK_ONLY else checks[name]
        if ok:
            out.append({"action": slug, "label": transitions.ACTION_LABELS[name]})
    return out, mine
