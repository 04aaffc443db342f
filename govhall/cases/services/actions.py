"""The case engine's actions, stated once.

Each ``Action`` says which states it may start from and the state it leads to (``None``:
the case stays where it is), the event of the process-record stream it appends
(``govhall.records.events``), its Chinese label (for a step, by the post that takes it:
审核通过, 审批通过 …), its URL slug, who takes it (staff, the applicant, the hall itself)
and its guard: the one function that decides whether this actor may take it on this
case now. The state table (``transitions``), the services (``enforce``), what a page or
the API offers (``offered``), the workbench's forms and the staff API's endpoints all
read this registry.

A guard answers ``None`` (allowed) or a ``Refusal`` naming the field, the rule and the
Chinese message; the services raise it as it is, so what is offered is exactly what will
work. The state is checked before the guard (``transition_not_allowed``, 409 in the API), and
recusal before both: a staff member who is a party to the case (``access.party_role``)
is refused every staff action (``conflict_of_interest``, 403). Who may reach a case at
all is decided before, by ``access`` (404 outside it, and for its parties).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.utils import timezone

from govhall.catalog.models import Step
from govhall.core.errors import refuse
from govhall.records import events
from govhall.regions.models import Post
from govhall.regions.services.scope import StaffScope, scope_of

from ..models import Case, CaseState, CaseStep, Rating, StepState
from . import access, steps

S = CaseState
STAFF, APPLICANT, SYSTEM = "staff", "applicant", "system"
CONCLUDE_POSTS = (Post.CLERK, Post.APPROVER)


class Refusal(NamedTuple):
    field: str
    code: str
    message: str

    def error(self):
        return refuse(self.field, self.code, self.message)


class Situation:
    """What guards look at: the case, the actor and the open task, each worked out once."""

    def __init__(self, case: Case, actor, task: CaseStep | None = None, *, task_known=False):
        self.case, self.actor = case, actor
        if task_known or task is not None:
            self.__dict__["task"] = task

    @cached_property
    def task(self) -> CaseStep | None:
        return self.case.steps.filter(state=StepState.OPEN).select_related("department").first()

    @cached_property
    def scope(self) -> StaffScope:
        return scope_of(self.actor)

    @cached_property
    def mine(self) -> bool:
        return self.task is not None and access.can_do_step(self.actor, self.task)

    @cached_property
    def recusal(self) -> Refusal | None:
        return recusal(self.case, self.actor)

    @cached_property
    def position(self) -> tuple[bool, bool]:
        """(first, last) of the open item task among the steps the case walks through."""
        return steps.position(self.case, self.task)

    @cached_property
    def catalogue_step(self) -> Step | None:
        return steps.catalogue_step(self.case, self.task)


Guard = Callable[[Situation], Refusal | None]


@dataclass(frozen=True)
class Action:
    name: str
    from_states: tuple[str, ...]
    to_state: str | None
    label: str
    actor: str
    slug: str = ""
    guard: Guard | None = None
    labels_by_post: Mapping[str, str] = field(default_factory=dict)
    service: str = ""  # "module.function" under govhall.cases.services ("" for none)
    event: str = ""  # the event it appends; its own name unless said

    def __post_init__(self):
        object.__setattr__(self, "event", self.event or self.name)
        events.get(self.event)  # every action appends an event of the stream

    def target(self, state: str) -> str:
        return self.to_state or state

    def label_for(self, task: CaseStep | None) -> str:
        """The label as the actor sees it: by the post of their task where that differs."""
        return self.labels_by_post.get(task.post, self.label) if task else self.label

    def run(self, case: Case, actor, **arguments):
        """Call the service that takes this action (it checks everything again)."""
        module, function = self.service.split(".")
        service = getattr(importlib.import_module(f"{__package__}.{module}"), function)
        return service(case, actor, **arguments)


# --- guards ---------------------------------------------------------------------------------


def _refuse_task(s: Situation) -> Refusal:
    return Refusal("case", "not_your_task", f"办件{s.case.number}当前环节不由您的岗位办理。")


def _acceptance_task(s: Situation) -> Refusal | None:
    if not s.mine or s.task.code != steps.ACCEPTANCE_CODE or s.task.post != Post.CLERK:
        return _refuse_task(s)
    return None


def _my_task(s: Situation) -> Refusal | None:
    return None if s.mine else _refuse_task(s)


def _not_last_step(s: Situation) -> Refusal | None:
    if refusal := _my_task(s):
        return refusal
    if s.position[1]:
        return Refusal("action", "decision_required", "这是最后一个环节，请作出准予或不予的决定。")
    return None


def _may_return(s: Situation) -> Refusal | None:
    if refusal := _my_task(s):
        return refusal
    if s.position[0]:
        return Refusal("action", "first_step", "第一个办理环节不能再退回。")
    if s.catalogue_step is not None and not s.catalogue_step.may_return:
        return Refusal("action", "return_not_allowed", f"“{s.task.name}”环节不能退回。")
    return None


def _last_step(s: Situation) -> Refusal | None:
    if refusal := _my_task(s):
        return refusal
    if not s.position[1]:
        return Refusal("action", "not_last_step", "只有最后一个环节可以作出决定，请先完成本环节。")
    return None


def _approver_of_a_statutory_limit(s: Situation) -> Refusal | None:
    if not s.scope.has_post(Post.APPROVER, s.case.department_id):
        return Refusal("case", "approver_required", "延长办理时限须由实施部门的审批人员批准。")
    if s.case.statutory_limit_days is None:
        return Refusal("days", "no_statutory_limit", "该事项没有法定办理时限，无需延长。")
    return None


def _concluding_post(s: Situation) -> Refusal | None:
    departments = {s.case.department_id, s.case.accepting_department_id}
    if s.scope.is_superuser or any(
        held.department_id in departments and held.post in CONCLUDE_POSTS for held in s.scope.posts
    ):
        return None
    return Refusal("case", "not_your_case", "只有实施部门或受理窗口的工作人员可以办结。")


def _not_yet_delivered(s: Situation) -> Refusal | None:
    if s.case.delivered_at:
        return Refusal("case", "already_delivered", "该办件已登记领取/送达，不能重复登记。")
    if not access.staff_can_read(s.actor, s.case):
        return Refusal("case", "not_your_case", "您无权办理该办件。")
    return None


def _not_yet_rated(s: Situation) -> Refusal | None:
    if Rating.objects.filter(case=s.case).exists():
        return Refusal("level", "already_rated", "该办件已评价，每个办件只能评价一次。")
    return None


def _review_window_open(s: Situation) -> Refusal | None:
    case = s.case
    if not case.auto_decided:
        return Refusal("action", "not_auto_decided", "只有秒批的决定可以申请人工复核。")
    if case.review_deadline and timezone.localdate() > case.review_deadline:
        return Refusal(
            "action",
            "review_expired",
            f"申请人工复核的期限已于{case.review_deadline:%Y年%m月%d日}届满。",
        )
    return None


# --- the registry ---------------------------------------------------------------------------

_RUNNING = (S.IN_PROGRESS,)
ITEM_STEP_LABELS = {Post.CLERK: "承办完成", Post.REVIEWER: "审核通过", Post.APPROVER: "审批通过"}

# Staff actions in the order a case page offers them.
ACTIONS: tuple[Action, ...] = (
    Action("accept", (S.SUBMITTED,), S.IN_PROGRESS, "受理", STAFF, "accept",
           _acceptance_task, service="handling.accept"),
    Action("request_correction", (S.SUBMITTED,), S.AWAITING_CORRECTION, "一次性告知补正",
           STAFF, "request-correction", _acceptance_task,
           service="handling.request_correction"),
    Action("reject", (S.SUBMITTED, S.AWAITING_CORRECTION), S.REJECTED, "不予受理", STAFF,
           "reject", _acceptance_task, service="handling.reject"),
    Action("complete_step", _RUNNING, None, "办理完成", STAFF, "complete-step", _not_last_step,
           ITEM_STEP_LABELS, service="handling.complete_step"),
    Action("decide", _RUNNING, S.DECIDED, "作出决定", STAFF, "decide", _last_step,
           service="handling.decide"),
    Action("return_step", _RUNNING, None, "退回", STAFF, "return-step", _may_return,
           service="handling.return_step"),
    Action("start_special", _RUNNING, S.SUSPENDED, "启动特别程序", STAFF, "start-special",
           _my_task, service="handling.start_special"),
    Action("end_special", (S.SUSPENDED,), S.IN_PROGRESS, "结束特别程序", STAFF, "end-special",
           _my_task, service="handling.end_special"),
    Action("extend", (S.IN_PROGRESS, S.SUSPENDED), None, "延长办理时限", STAFF, "extend",
           _approver_of_a_statutory_limit, service="handling.extend"),
    Action("conclude", (S.DECIDED,), S.CONCLUDED, "办结", STAFF, "conclude", _concluding_post,
           service="handling.conclude"),
    Action("deliver", (S.CONCLUDED,), None, "送达/领取登记", STAFF, "deliver",
           _not_yet_delivered, service="handling.deliver"),
    # The applicant's (slugs: /my/cases/<number>/<slug>) and the hall's own.
    Action("submit", (), S.SUBMITTED, "提交申请", APPLICANT),  # the case's birth, no move
    Action("submit_correction", (S.AWAITING_CORRECTION,), S.SUBMITTED, "提交补正材料",
           APPLICANT, "correction", service="applicant.submit_correction"),
    Action("withdraw", (S.SUBMITTED, S.AWAITING_CORRECTION, S.IN_PROGRESS, S.SUSPENDED),
           S.WITHDRAWN, "撤回申请", APPLICANT, "withdraw", service="applicant.withdraw"),
    Action("request_review", (S.DECIDED,), S.IN_PROGRESS, "申请人工复核", APPLICANT,
           "review-request", _review_window_open, service="auto_approval.request_review"),
    Action("rate", (S.CONCLUDED,), None, "评价", APPLICANT, "rating", _not_yet_rated,
           service="applicant.rate"),
    Action("auto_decide", (S.SUBMITTED,), S.DECIDED, "秒批", SYSTEM),
    # Fees (govhall.payments): an approved case waits for its fee, then goes on.
    Action("assess_fee", (S.DECIDED,), S.AWAITING_PAYMENT, "核定收费", SYSTEM),
    Action("pay", (S.AWAITING_PAYMENT,), S.DECIDED, "缴费到账", SYSTEM),
    # Payment events that leave the state as it is (recorded by govhall.payments).
    Action("open_payment", (S.AWAITING_PAYMENT,), None, "发起缴费", SYSTEM),
    Action("close_payment", (S.AWAITING_PAYMENT, S.DECIDED, S.CONCLUDED), None,
           "缴费订单关闭", SYSTEM),
    Action("refund", (S.DECIDED, S.CONCLUDED), None, "退费", SYSTEM),
)  # fmt: skip

BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}
STAFF_ACTIONS: tuple[Action, ...] = tuple(a for a in ACTIONS if a.actor == STAFF)
APPLICANT_ACTIONS: tuple[Action, ...] = tuple(a for a in ACTIONS if a.actor == APPLICANT)


def get(name: str) -> Action:
    return BY_NAME[name]


def by_slug(slug: str, actor: str = STAFF) -> Action:
    return next(a for a in ACTIONS if a.slug == slug and a.actor == actor)


def label(name: str) -> str:
    action = BY_NAME.get(name)
    return action.label if action else name


# --- state, guard, offer --------------------------------------------------------------------


def allowed_in_state(case: Case) -> list[str]:
    """The actions the case's state allows, whoever asks."""
    return [a.name for a in ACTIONS if case.state in a.from_states]


def is_allowed(case: Case, name: str) -> bool:
    return case.state in BY_NAME[name].from_states


def state_refusal(case: Case, action: Action) -> Refusal | None:
    """Why the case's state does not allow ``action``, or None."""
    if case.state in action.from_states:
        return None
    return Refusal(
        "action",
        "transition_not_allowed",
        f"办件{case.number}当前状态为“{CaseState(case.state).label}”，不能“{action.label}”。",
    )


def recusal(case: Case, actor) -> Refusal | None:
    """Nobody handles a case in which they are a party (回避), whatever their posts."""
    role = access.party_role(actor, case)
    if not role:
        return None
    return Refusal(
        "case",
        "conflict_of_interest",
        f"您是办件{case.number}的{role}，依回避规定不能办理该办件。",
    )


def refusal(situation: Situation, action: Action) -> Refusal | None:
    """Why ``situation.actor`` may not take ``action`` now (recusal for staff, then the
    state, then the guard), or None."""
    if action.actor == STAFF and (found := situation.recusal):
        return found
    found = state_refusal(situation.case, action)
    if found is None and action.guard is not None:
        found = action.guard(situation)
    return found


def enforce(case: Case, actor, name: str) -> Situation:
    """Raise the refusal of ``name`` for this actor on this (locked) case, if any; the
    situation (with the open task) is returned for the service to go on with."""
    situation = Situation(case, actor)
    found = refusal(situation, BY_NAME[name])
    if found:
        raise found.error()
    return situation


@dataclass(frozen=True)
class Offer:
    action: Action
    label: str  # as this actor sees it


def offered(
    case: Case, actor, task: CaseStep | None = None, *, task_known=False, kind: str = STAFF
) -> list[Offer]:
    """The actions of ``kind`` that ``actor`` may take on ``case`` now, with their labels —
    exactly those whose guard passes, in the registry's order. ``task``: the open task when
    the caller has read it (``task_known`` when it read that there is none). Applicants are
    offered nothing on a case they may not act on."""
    if kind == APPLICANT and not access.applicant_can_act(actor, case):
        return []
    situation = Situation(case, actor, task, task_known=task_known)
    return [
        Offer(action, action.label_for(situation.task if kind == STAFF else None))
        for action in ACTIONS
        if action.actor == kind and refusal(situation, action) is None
    ]
