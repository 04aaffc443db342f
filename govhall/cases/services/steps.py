"""Which catalogue steps a case walks through, and which of them a task is.

A case's tasks after acceptance are made one at a time from its item version's
catalogue steps (``item_steps``). Each such task stores the position of its catalogue
step (``CaseStep.catalogue_index``), so a task knows its step even when two steps share
a name (审核, 审核, 批准) and after a return (tasks are numbered anew, positions are not).
Acceptance and a task not taken from the catalogue (人工复核 of an item without steps)
have none: such a task is the case's only step, first and last at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from govhall.catalog.models import ItemVersion, Step
from govhall.regions.models import Post

from ..models import ACCEPTANCE_STEP, Case, CaseStep

# The exchange's step codes (``details.step_code``): 0 is acceptance.
ACCEPTANCE_CODE = "0"
STEP_CODES = {Post.CLERK: "1", Post.REVIEWER: "2", Post.APPROVER: "3"}


def item_steps(version: ItemVersion) -> list[Step]:
    """The catalogue steps a case of ``version`` walks through after acceptance, up to the
    decision (``walk`` of the version's steps).

    Kept on the version object: one action asks several times (accept: is there a step,
    then open the first) and a case's version object lives for that one action."""
    cached = version.__dict__.get("_item_steps")
    if cached is None:
        cached = version.__dict__["_item_steps"] = walk(version.steps.select_related("department"))
    return cached


def walk(catalogue_steps: Iterable[Step]) -> list[Step]:
    """Of one version's catalogue steps, those that are tasks after acceptance, in order.

    Catalogues usually list 受理 first and 办结送达 last; acceptance is the case's own
    first task and conclusion its own action, so a leading 受理… step and the steps after
    the last approver's step are not tasks of their own.
    """
    steps = sorted(catalogue_steps, key=lambda s: (s.sort_order, s.pk))
    if steps and steps[0].name.startswith(ACCEPTANCE_STEP):
        steps = steps[1:]
    deciding = [i for i, s in enumerate(steps) if s.post == Post.APPROVER]
    return steps[: deciding[-1] + 1] if deciding else steps


def step_code(step: Step) -> str:
    return STEP_CODES.get(step.post, "1")


def index_of(case: Case, task: CaseStep) -> int:
    """The position of ``task``'s catalogue step among ``item_steps``; a task without one
    counts as the last (it is the case's only step)."""
    if task.catalogue_index is not None:
        return task.catalogue_index
    return len(item_steps(case.item_version)) - 1


def catalogue_step(case: Case, task: CaseStep) -> Step | None:
    """The catalogue step ``task`` was made from (None for acceptance and 人工复核)."""
    if task.catalogue_index is None:
        return None
    steps = item_steps(case.item_version)
    return steps[task.catalogue_index] if task.catalogue_index < len(steps) else None


def position(case: Case, task: CaseStep) -> tuple[bool, bool]:
    """(first, last) of an item task among the steps the case walks through."""
    index, count = index_of(case, task), len(item_steps(case.item_version))
    return index <= 0, index >= count - 1
