"""秒批: rules from the catalogue decide at submission, and say which rules fired.

All rules must hold for approval. An approved case concludes at once with an
electronic result; a denied one waits ``review_days`` working days during which the
applicant may ask a person to review it (``request_review``); after that the nightly
scan concludes it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from govhall.core.errors import refuse
from govhall.core.services import calendar

from ..models import Case, CaseState, Decision, Delivery
from . import actions, facts, handling, hooks, notifications, steps, transitions

OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
}


def _number(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value


def evaluate(definition: dict, answers: dict, person, company=None) -> list[dict]:
    """Each rule with the value found and whether it held."""
    applicant = facts.applicant_facts(person, company)
    licences = {h.type_code for h in facts.held_licences(person, company)}
    shared = facts.shared_sources(person, company)
    results = []
    for rule in definition.get("rules", []):
        fact, op = rule["fact"], rule["op"]
        if fact.startswith(("licence:", "shared:")):
            kind, code = fact.split(":", 1)
            actual = code in (licences if kind == "licence" else shared)
            held = actual if op == "held" else not actual
        else:
            source = answers if fact.startswith("form.") else applicant
            actual = source.get(fact.split(".", 1)[1])
            expected = rule.get("value")
            try:
                if op == "in":
                    held = actual is not None and actual in (expected or [])
                else:
                    held = actual is not None and OPS[op](_number(actual), _number(expected))
            except TypeError:
                held = False
        results.append({**rule, "actual": actual, "held": bool(held)})
    return results


def decide_at_submission(case: Case, answers: dict) -> Case:
    """Called inside the submission's transaction for a rule-decidable item."""
    definition = case.item_version.decision_rules
    results = evaluate(definition, answers, case.person, case.company)
    approved = all(r["held"] for r in results)
    now = timezone.now()
    case.auto_decided = True
    case.rule_results = results
    case.accepted_at = now
    case.decision = Decision.APPROVE if approved else Decision.DENY
    case.decided_at = now
    failed = [r["description"] or r["code"] for r in results if not r["held"]]
    case.decision_reason = "符合全部秒批规则。" if approved else "不符合：" + "；".join(failed)
    handling.cancel_open_steps(case)
    if not approved:
        days = definition.get("review_days", 5)
        case.review_deadline = calendar.add_working_days(timezone.localdate(now), days).due_date
    transitions.apply(
        case,
        "auto_decide",
        handler=transitions.SYSTEM,
        details={
            "decision": case.decision,
            "reason": case.decision_reason,
            "rules": [{"code": r["code"], "held": r["held"]} for r in results],
        },
    )
    notifications.notify(case, "auto_decide")
    if approved:
        hooks.decided.send(sender=Case, case=case, user=None, at_once=True)
    if approved and case.state == CaseState.DECIDED:  # not waiting for a fee
        handling._conclude(case, None, delivery=Delivery.ELECTRONIC)
    return case


@transitions.atomic_action
def request_review(case: Case, identity, *, reason: str) -> Case:
    """The applicant asks a person to review an automatic denial, within the time limit."""
    from . import access

    case = transitions.lock(case)
    if not access.applicant_can_act(identity, case):
        raise refuse("case", "not_your_case", "您无权操作该办件。")
    actions.enforce(case, identity, "request_review")
    if not (reason or "").strip():
        raise refuse("reason", "required", "请说明申请人工复核的理由。")
    case.review_requested_at = timezone.now()
    case.decision, case.decided_at = "", None
    transitions.apply(
        case, "request_review", handler=transitions.APPLICANT, details={"reason": reason.strip()}
    )
    if steps.item_steps(case.item_version):
        handling._open_item_step(case, 0)
    else:
        from govhall.regions.models import Post

        handling.open_step(
            case,
            name="人工复核",
            post=Post.REVIEWER,
            department=case.department,
            time_limit_days=case.promised_limit_days or 5,
            code="2",
        )
    return case
