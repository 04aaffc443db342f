"""Staff actions on a case: acceptance, correction notices, steps, decisions, conclusion.

Each function takes the acting staff user, lets the action's guard in the registry
(``actions.enforce``: the state, then who may act now) refuse or name the open task,
checks the input, and applies one or more transitions (``transitions.apply``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Max
from django.utils import timezone

from govhall.catalog.models import CaseType
from govhall.core.errors import refuse
from govhall.core.services import calendar
from govhall.regions.models import Post

from ..models import (
    ACCEPTANCE_STEP,
    BundleCase,
    Case,
    CaseState,
    CaseStep,
    ConclusionCode,
    CorrectionNotice,
    Decision,
    Delivery,
    StepAction,
    StepState,
    Suspension,
    SuspensionKind,
)
from . import actions, clocks, hooks, notifications, steps, transitions

EXTENSION_LIMIT = 10  # 行政许可法 Art. 42: +10 working days with approval
JOINT_EXTENSION_LIMIT = 15  # joint handling: +15


# --- tasks ------------------------------------------------------------------------------


def open_step(
    case: Case,
    *,
    name: str,
    post: str,
    department,
    time_limit_days: int,
    code: str,
    sequence: int | None = None,
    catalogue_index: int | None = None,
) -> CaseStep:
    """A new open task; its due date counts from today (no suspension can be open while a
    task is opened: tasks open only on a running case)."""
    now = timezone.now()
    if sequence is None:
        top = case.steps.aggregate(top=Max("sequence"))["top"]
        sequence = 0 if top is None else top + 1
    due = calendar.add_working_days(timezone.localdate(now), time_limit_days).due_date
    return CaseStep.objects.create(
        case=case,
        sequence=sequence,
        code=code,
        name=name,
        catalogue_index=catalogue_index,
        post=post,
        department=department,
        region_code=department.region_id,
        time_limit_days=time_limit_days,
        started_at=now,
        due_date=due,
        case_number=case.number,
        case_state=case.state,
        item_name=case.item_name,
        applicant_name=case.applicant_name,
    )


def open_acceptance(case: Case, department=None) -> CaseStep:
    """The first task of a new case (sequence 0)."""
    return open_step(
        case,
        name=ACCEPTANCE_STEP,
        post=Post.CLERK,
        department=department or case.department,
        time_limit_days=clocks.ACCEPTANCE_LIMIT_DAYS,
        code=steps.ACCEPTANCE_CODE,
        sequence=0,
    )


def current_step(case: Case) -> CaseStep | None:
    return case.steps.filter(state=StepState.OPEN).select_related("department").first()


def _open_item_step(case: Case, index: int) -> CaseStep:
    definition = steps.item_steps(case.item_version)[index]
    return open_step(
        case,
        name=definition.name,
        post=definition.post,
        department=definition.department or case.department,
        time_limit_days=definition.time_limit_days,
        code=steps.step_code(definition),
        catalogue_index=index,
    )


def actions_for(case: Case, user, step: CaseStep | None = None) -> list[str]:
    """The staff actions ``user`` may take on ``case`` now: those whose guard in the
    registry (``actions``) passes — the same guards these services enforce."""
    return [offer.action.name for offer in actions.offered(case, user, step)]


def _finish(step: CaseStep, user, action: str, opinion: str) -> None:
    step.state = StepState.DONE if action != StepAction.RETURN else StepState.RETURNED
    step.completed_at = timezone.now()
    step.handler = user
    step.action = action
    step.opinion = opinion
    step.save(update_fields=["state", "completed_at", "handler", "action", "opinion"])


def _step_details(step: CaseStep, user) -> dict:
    return {
        "step_code": step.code,
        "step_name": step.name,
        "action": step.action,
        "handler": transitions.handler_name(user),
        "handler_department": step.department.credit_code,
        "opinion": step.opinion,
        "started_at": step.started_at,
        "completed_at": step.completed_at,
    }


# --- acceptance -------------------------------------------------------------------------


@transitions.atomic_action
def accept(case: Case, user, *, opinion: str = "", document_number: str = "") -> Case:
    """受理; an instant case (即办件) is decided and concluded at once."""
    case = transitions.lock(case)
    step = actions.enforce(case, user, "accept").task
    _finish(step, user, StepAction.PASS, opinion or "予以受理")
    case.accepted_at = timezone.now()
    case.document_number = document_number or f"受字〔{case.accepted_at:%Y}〕{case.number[-6:]}号"
    if case.accepting_department_id is None and step.department_id != case.department_id:
        case.accepting_department = step.department
    transitions.apply(
        case,
        "accept",
        handler=transitions.handler_name(user),
        details={
            **_step_details(step, user),
            "accepted": True,
            "document_number": case.document_number,
            "promised_due": None,
        },
    )
    if case.case_type == CaseType.INSTANT or not steps.item_steps(case.item_version):
        _decide(case, user, Decision.APPROVE, "即办件，受理即办结。", step=None, at_once=True)
        if case.state == CaseState.DECIDED:  # not waiting for a fee (hooks.decided)
            _conclude(case, user, delivery=_default_delivery(case))
    else:
        _open_item_step(case, 0)
    notifications.notify(case, "accept")
    return case


@transitions.atomic_action
def reject(case: Case, user, *, reason: str) -> Case:
    """不予受理, with the reason the law requires."""
    case = transitions.lock(case)
    step = actions.enforce(case, user, "reject").task
    if not (reason or "").strip():
        raise refuse("reason", "required", "不予受理必须说明理由。")
    _finish(step, user, StepAction.OTHER, reason.strip())
    case.rejection_reason = reason.strip()
    _close_suspensions(case)
    CorrectionNotice.objects.filter(case=case, corrected_at__isnull=True).update(
        corrected_at=timezone.now()
    )
    transitions.apply(
        case,
        "reject",
        handler=transitions.handler_name(user),
        details={**_step_details(step, user), "accepted": False},
    )
    notifications.notify(case, "reject")
    _conclude_bundle_if_done(case)
    return case


@transitions.atomic_action
def request_correction(case: Case, user, *, items: list[dict], note: str = "") -> CorrectionNotice:
    """一次性告知: list every missing or wrong material at once; the clock stops."""
    case = transitions.lock(case)
    actions.enforce(case, user, "request_correction")
    clean = []
    for index, row in enumerate(items or []):
        problem = str(row.get("problem") or "").strip()
        name = str(row.get("name") or "").strip()
        if not name or not problem:
            raise refuse(
                f"items[{index}]",
                "required",
                f"补正告知第{index + 1}项须写明材料名称和问题。",
            )
        clean.append(
            {"material_code": str(row.get("material_code") or ""), "name": name, "problem": problem}
        )
    if not clean:
        raise refuse("items", "required", "补正告知须一次性列出全部需要补正的材料（至少一项）。")
    now = timezone.now()
    notice = CorrectionNotice.objects.create(
        case=case, items=clean, note=note.strip(), issued_by=user, issued_at=now
    )
    Suspension.objects.create(
        case=case,
        kind=SuspensionKind.CORRECTION,
        reason="等待申请人补正材料",
        started_on=timezone.localdate(now),
        started_by=user,
    )
    transitions.apply(
        case,
        "request_correction",
        handler=transitions.handler_name(user),
        details={"items": clean, "note": notice.note},
    )
    notifications.notify(case, "request_correction")
    return notice


# --- steps and decisions ----------------------------------------------------------------


@transitions.atomic_action
def complete_step(case: Case, user, *, opinion: str) -> CaseStep:
    """Pass the current step (承办, 审核...) on to the next one."""
    case = transitions.lock(case)
    step = actions.enforce(case, user, "complete_step").task
    if not (opinion or "").strip():
        raise refuse("opinion", "required", "请填写办理意见。")
    index = steps.index_of(case, step)
    _finish(step, user, StepAction.PASS, opinion.strip())
    transitions.apply(
        case,
        "complete_step",
        handler=transitions.handler_name(user),
        details=_step_details(step, user),
    )
    return _open_item_step(case, index + 1)


@transitions.atomic_action
def return_step(case: Case, user, *, opinion: str) -> CaseStep:
    """Send the case back to the previous step, with the reason."""
    case = transitions.lock(case)
    step = actions.enforce(case, user, "return_step").task
    if not (opinion or "").strip():
        raise refuse("opinion", "required", "退回必须说明理由。")
    index = steps.index_of(case, step)
    _finish(step, user, StepAction.RETURN, opinion.strip())
    transitions.apply(
        case,
        "return_step",
        handler=transitions.handler_name(user),
        details=_step_details(step, user),
    )
    return _open_item_step(case, index - 1)


@transitions.atomic_action
def decide(case: Case, user, *, decision: str, reason: str = "", opinion: str = "") -> Case:
    """准予 or 不予 at the last step; a denial needs its reason."""
    case = transitions.lock(case)
    step = actions.enforce(case, user, "decide").task
    _decide(case, user, decision, reason, step=step, opinion=opinion)
    notifications.notify(case, "decide")
    return case


def _decide(
    case: Case, user, decision: str, reason: str, *, step, opinion: str = "", at_once=False
) -> None:
    if decision not in Decision.values:
        raise refuse("decision", "choice", "审批决定须为“准予”或“不予”。")
    reason = (reason or "").strip()
    if decision == Decision.DENY and not reason:
        raise refuse("reason", "required", "不予许可必须说明理由。")
    details = {}
    if step is not None:
        _finish(
            step, user, StepAction.PASS, (opinion or reason or Decision(decision).label).strip()
        )
        details = _step_details(step, user)
    case.decision, case.decision_reason, case.decided_at = decision, reason, timezone.now()
    transitions.apply(
        case,
        "decide",
        handler=transitions.handler_name(user),
        details={**details, "decision": decision, "reason": reason},
    )
    if decision == Decision.APPROVE:
        hooks.decided.send(sender=Case, case=case, user=user, at_once=at_once)


# --- special procedures and extensions --------------------------------------------------


@transitions.atomic_action
def start_special(case: Case, user, *, kind: str, reason: str) -> Suspension:
    """听证、检验检测、专家评审…: the clock stops until the result is in."""
    case = transitions.lock(case)
    actions.enforce(case, user, "start_special")
    if kind not in SuspensionKind.values or kind == SuspensionKind.CORRECTION:
        allowed = "、".join(str(k.label) for k in SuspensionKind if k != SuspensionKind.CORRECTION)
        raise refuse("kind", "choice", f"特别程序种类无效，应为：{allowed}。")
    if not (reason or "").strip():
        raise refuse("reason", "required", "启动特别程序必须说明理由。")
    suspension = Suspension.objects.create(
        case=case, kind=kind, reason=reason.strip(), started_on=clocks.today(), started_by=user
    )
    transitions.apply(
        case,
        "start_special",
        handler=transitions.handler_name(user),
        details={"procedure": kind, "reason": suspension.reason},
    )
    return suspension


@transitions.atomic_action
def end_special(case: Case, user, *, result: str) -> Case:
    case = transitions.lock(case)
    actions.enforce(case, user, "end_special")
    if not (result or "").strip():
        raise refuse("result", "required", "请填写特别程序的结果。")
    suspension = (
        case.suspensions.filter(ended_on__isnull=True)
        .exclude(kind=SuspensionKind.CORRECTION)
        .first()
    )
    suspension.ended_on, suspension.result = clocks.today(), result.strip()
    suspension.save(update_fields=["ended_on", "result"])
    transitions.apply(
        case,
        "end_special",
        handler=transitions.handler_name(user),
        details={
            "procedure": suspension.kind,
            "result": suspension.result,
            "days": (suspension.ended_on - suspension.started_on).days,
        },
    )
    return case


@transitions.atomic_action
def extend(case: Case, user, *, days: int, reason: str) -> Case:
    """延长: an approver of the responsible department adds working days (Art. 42)."""
    case = transitions.lock(case)
    actions.enforce(case, user, "extend")
    limit = JOINT_EXTENSION_LIMIT if case.item_version.joint_departments else EXTENSION_LIMIT
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise refuse("days", "integer", "延长天数须为整数。") from None
    if days < 1 or case.extension_days + days > limit:
        raise refuse(
            "days",
            "range",
            f"延长天数须为1至{limit - case.extension_days}个工作日"
            f"（法定最多延长{limit}个工作日）。",
        )
    if not (reason or "").strip():
        raise refuse("reason", "required", "延长办理时限必须说明理由。")
    case.extension_days += days
    transitions.apply(
        case,
        "extend",
        handler=transitions.handler_name(user),
        details={"procedure": "extension", "days": days, "reason": reason.strip()},
    )
    return case


# --- conclusion and delivery ------------------------------------------------------------


def _default_delivery(case: Case) -> str:
    version = case.item_version
    if case.delivery:
        return case.delivery
    if version.delivery_electronic:
        return Delivery.ELECTRONIC
    return Delivery.PICKUP if version.delivery_pickup else Delivery.POST


@transitions.atomic_action
def conclude(
    case: Case,
    user,
    *,
    delivery: str = "",
    result_number: str = "",
    tracking_number: str = "",
    fee=None,
) -> Case:
    """办结: the result is made and goes out by the applicant's delivery choice."""
    case = transitions.lock(case)
    actions.enforce(case, user, "conclude")
    _conclude(
        case,
        user,
        delivery=delivery or _default_delivery(case),
        result_number=result_number,
        tracking_number=tracking_number,
        fee=fee,
    )
    return case


def _conclude(case, user, *, delivery, result_number="", tracking_number="", fee=None) -> None:
    if delivery not in Delivery.values:
        raise refuse("delivery", "choice", "送达方式须为电子送达、邮寄送达或窗口领取。")
    if delivery == Delivery.POST and not (tracking_number or "").strip():
        raise refuse("tracking_number", "required", "邮寄送达须填写快递单号。")
    if fee not in (None, ""):
        try:
            fee = Decimal(str(fee)).quantize(Decimal("0.01"))
            if fee < 0:
                raise InvalidOperation
        except InvalidOperation:
            raise refuse("fee", "decimal", "收费金额须为不小于0的数字。") from None
    else:
        fee = None
    approved = case.decision == Decision.APPROVE
    case.concluded_at = timezone.now()
    case.conclusion_code = ConclusionCode.ISSUED if approved else ConclusionCode.OTHER
    case.delivery = delivery
    case.tracking_number = (tracking_number or "").strip()
    case.fee = fee
    if approved:
        case.result_name = case.item_version.result_name or f"{case.item_name}结果"
        case.result_number = (result_number or "").strip() or case.number
    else:
        case.result_name = "不予许可决定书"
        case.result_number = (result_number or "").strip() or f"{case.number}-B"
    details = {}
    if approved:
        hooks.concluding.send(sender=Case, case=case, user=user, details=details)
    transitions.apply(
        case,
        "conclude",
        handler=transitions.handler_name(user),
        details={
            "conclusion_code": case.conclusion_code,
            "decision": case.decision,
            "result_name": case.result_name,
            "result_number": case.result_number,
            "valid_until": case.result_valid_until,
            "delivery": delivery,
            "tracking_number": case.tracking_number,
            "fee": str(fee) if fee is not None else None,
            **details,
        },
    )
    notifications.notify(case, "conclude")
    _conclude_bundle_if_done(case)


@transitions.atomic_action
def deliver(case: Case, user, *, collected_by: str = "", note: str = "") -> Case:
    """领取登记: the applicant collected the result at a hall (one more visit), or the
    post delivered it."""
    case = transitions.lock(case)
    actions.enforce(case, user, "deliver")
    case.delivered_at = timezone.now()
    if case.delivery == Delivery.PICKUP:
        case.visits += 1
    transitions.apply(
        case,
        "deliver",
        handler=transitions.handler_name(user),
        details={
            "delivery": case.delivery,
            "collected_by": collected_by.strip(),
            "note": note.strip(),
        },
    )
    return case


# --- shared helpers ---------------------------------------------------------------------


def _close_suspensions(case: Case) -> None:
    case.suspensions.filter(ended_on__isnull=True).update(ended_on=clocks.today())


def _conclude_bundle_if_done(case: Case) -> None:
    """A bundle (一件事) concludes when every one of its cases has ended."""
    if not case.bundle_case_id:
        return
    bundle_case = BundleCase.objects.select_for_update().get(pk=case.bundle_case_id)
    if bundle_case.is_concluded:
        return
    if not bundle_case.cases.filter(
        state__in=[
            s
            for s in CaseState
            if s not in (CaseState.CONCLUDED, CaseState.REJECTED, CaseState.WITHDRAWN)
        ]
    ).exists():
        bundle_case.is_concluded = True
        bundle_case.concluded_at = timezone.now()
        bundle_case.save(update_fields=["is_concluded", "concluded_at"])


def cancel_open_steps(case: Case) -> None:
    case.steps.filter(state=StepState.OPEN).update(
        state=StepState.CANCELLED, completed_at=timezone.now()
    )
