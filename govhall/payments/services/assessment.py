"""核定收费: what an approved case owes, and the 待缴费 wait (docs/payments.md, ADR 0011).

Fees are assessed after the approval (准予) and before the result is issued, as halls do
(行政许可法 第五十八、五十九条: only fees a law or administrative regulation sets, by the
published standard, paid in full to the treasury). Where every fee of the item has a fixed
amount in the catalogue the hall assesses it at once; where the amount depends on the
case (an area, a count) a staff member of the department assesses it, stating the rule
they applied. While the fee is due the case is ``awaiting_payment`` and its clock stands
still (a ``payment`` suspension): the wait is the applicant's, like the periods 行政许可法
第四十五条 leaves out of the time limits.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.cases.models import Case, CaseState, Decision, Suspension, SuspensionKind
from govhall.cases.services import access, clocks, notifications, transitions
from govhall.catalog.models import CaseType
from govhall.core.errors import refuse
from govhall.core.services import calendar
from govhall.regions.models import Post
from govhall.regions.services.scope import scope_of

from ..models import AssessmentState, FeeAssessment, FeeLine
from . import events, money

PAYMENT_PERIOD_DAYS = getattr(settings, "GOVHALL_PAYMENT_PERIOD_DAYS", 15)  # working days
ASSESSING_POSTS = (Post.CLERK, Post.APPROVER)


def charges(case: Case) -> bool:
    """Whether the case's item version charges at all (是否收费): the version is fixed for
    the case, so an item that charges nothing costs the hooks no query."""
    return case.item_version.has_fee


def catalogue_fees(case: Case) -> list:
    return list(case.item_version.fees.all()) if charges(case) else []


def needs_staff(case: Case) -> bool:
    """Some fee of the item has no fixed amount: a person assesses it from the case."""
    return any(fee.amount is None for fee in catalogue_fees(case))


def _lines_from_catalogue(case: Case) -> list[dict]:
    return [
        {
            "name": fee.name,
            "standard": fee.standard,
            "basis": fee.basis or case.item_version.fee_basis[:300],
            "quantity": 1,
            "unit_fen": money.fen_of_yuan(fee.amount),
            "reduction_fen": 0,
            "reduction_reason": "",
        }
        for fee in catalogue_fees(case)
    ]


def _clean_lines(case: Case, lines: list[dict]) -> list[dict]:
    """Staff lines checked against the catalogue: only its fee items, reductions only where
    the item allows 减免 and with the reason."""
    fees = {fee.name: fee for fee in catalogue_fees(case)}
    if not lines:
        raise refuse("lines", "required", "请至少核定一个收费项目。")
    clean = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        fee = fees.get(str(line.get("name", "")))
        if fee is None:
            raise refuse(f"{where}.name", "choice", "收费项目须为该事项目录中列明的收费项目。")
        try:
            quantity = int(line.get("quantity", 1))
            unit = int(line["unit_fen"]) if "unit_fen" in line else money.fen_of_yuan(fee.amount)
            reduction = int(line.get("reduction_fen", 0))
        except (KeyError, TypeError, ValueError):
            raise refuse(
                f"{where}.unit_fen", "integer", "数量和金额须为整数（金额以分计）。"
            ) from None
        if quantity < 1 or unit < 0 or reduction < 0:
            raise refuse(f"{where}.quantity", "range", "数量须不小于1，金额须不小于0。")
        if fee.amount is not None and unit != money.fen_of_yuan(fee.amount):
            raise refuse(
                f"{where}.unit_fen", "not_standard", f"“{fee.name}”的收费标准为{fee.amount}元。"
            )
        reason = str(line.get("reduction_reason", "")).strip()
        if reduction and not fee.reducible:
            raise refuse(f"{where}.reduction_fen", "not_reducible", f"“{fee.name}”不允许减免。")
        if reduction and not reason:
            raise refuse(f"{where}.reduction_reason", "required", "减免须写明理由（减免条件）。")
        if reduction > unit * quantity:
            raise refuse(f"{where}.reduction_fen", "range", "减免金额不能超过应收金额。")
        clean.append(
            {
                "name": fee.name,
                "standard": fee.standard,
                "basis": fee.basis or case.item_version.fee_basis[:300],
                "quantity": quantity,
                "unit_fen": unit,
                "reduction_fen": reduction,
                "reduction_reason": reason[:300],
            }
        )
    return clean


def may_assess(user, case: Case) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or any(
        held.department_id == case.department_id and held.post in ASSESSING_POSTS
        for held in scope.posts
    )


def payment_due_date(on: datetime.date | None = None) -> datetime.date:
    return calendar.add_working_days(on or clocks.today(), PAYMENT_PERIOD_DAYS).due_date


def _create(case: Case, user, lines: list[dict], *, rule: str, at_once: bool) -> FeeAssessment:
    total = sum(line["unit_fen"] * line["quantity"] - line["reduction_fen"] for line in lines)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                assessment = FeeAssessment.objects.create(
                    case=case,
                    payment_code=money.payment_code(case.region_id),
                    total_fen=total,
                    state=AssessmentState.DUE if total else AssessmentState.WAIVED,
                    by_staff=user is not None,
                    rule=rule,
                    payer_name=case.applicant_name,
                    department=case.department,
                    due_date=payment_due_date(),
                    conclude_when_paid=at_once,
                    assessed_by=user,
                    assessed_at=timezone.now(),
                )
                break
        except IntegrityError:
            if FeeAssessment.objects.filter(case=case).exists():
                raise refuse("case", "already_assessed", "该办件已核定收费。") from None
    FeeLine.objects.bulk_create(
        FeeLine(
            assessment=assessment,
            amount_fen=line["unit_fen"] * line["quantity"] - line["reduction_fen"],
            **line,
        )
        for line in lines
    )
    return assessment


def _details(assessment: FeeAssessment, lines: list[dict]) -> dict:
    return {
        "payment_code": assessment.payment_code,
        "total_fen": assessment.total_fen,
        "due_date": assessment.due_date,
        "by_staff": assessment.by_staff,
        "rule": assessment.rule,
        "lines": [
            {k: line[k] for k in ("name", "quantity", "unit_fen", "reduction_fen")}
            for line in lines
        ],
    }


def _assess(case: Case, user, lines: list[dict], *, rule: str = "", at_once=False):
    """In the caller's transaction, ``case`` locked and decided (准予)."""
    if case.state != CaseState.DECIDED or case.decision != Decision.APPROVE:
        raise refuse("case", "transition_not_allowed", "只有已准予、尚未办结的办件可以核定收费。")
    if FeeAssessment.objects.filter(case=case).exists():
        raise refuse("case", "already_assessed", "该办件已核定收费。")
    assessment = _create(case, user, lines, rule=rule, at_once=at_once)
    handler = transitions.handler_name(user)
    if assessment.state == AssessmentState.WAIVED:  # fully reduced: nothing to wait for
        events.record(
            case,
            "assess_fee",
            instance=assessment,
            details=_details(assessment, lines),
            handler=handler,
        )
        return assessment
    Suspension.objects.create(
        case=case,
        kind=SuspensionKind.PAYMENT,
        reason=f"待申请人缴费（缴款码{assessment.payment_code}，"
        f"缴款期限{assessment.due_date:%Y年%m月%d日}）",
        started_on=clocks.today(),
        started_by=user,
    )
    transitions.apply(case, "assess_fee", handler=handler, details=_details(assessment, lines))
    notifications.notify(case, "assess_fee")
    return assessment


def on_decided(case: Case, user, at_once: bool) -> FeeAssessment | None:
    """The ``decided`` hook: assess at once what the catalogue fixes."""
    fees = catalogue_fees(case)
    if not fees or any(fee.amount is None for fee in fees):  # none, or staff assess
        return None
    return _assess(case, None, _lines_from_catalogue(case), at_once=at_once)


@transitions.atomic_action
def assess_by_staff(case: Case, user, *, lines: list[dict], rule: str) -> FeeAssessment:
    """A staff member of the department assesses a fee that depends on the case."""
    case = transitions.lock(case)
    if not may_assess(user, case) or access.party_role(user, case):
        raise refuse("case", "not_your_case", "只有实施部门的承办或审批人员可以核定收费。")
    if not (rule or "").strip():
        raise refuse("rule", "required", "请写明核定所依据的收费标准和计算方法。")
    return _assess(case, user, _clean_lines(case, lines), rule=rule.strip())


def conclusion_refusal(case: Case):
    """Why the case may not conclude yet because of its fee (the ``concluding`` hook)."""
    assessment = FeeAssessment.objects.filter(case=case).first()
    if assessment is None:
        instant = case.case_type == CaseType.INSTANT or case.auto_decided
        if catalogue_fees(case) and not instant:
            return refuse("case", "fee_not_assessed", "该事项收费，办结前须先核定收费。")
        return None
    if assessment.state == AssessmentState.DUE:
        return refuse("case", "fee_unpaid", "申请人尚未缴费，不能办结。")
    return None


def fee_yuan_for_record(case: Case):
    assessment = FeeAssessment.objects.filter(case=case).first()
    if assessment is None or assessment.state != AssessmentState.PAID:
        return None
    return money.yuan(assessment.total_fen)
