"""Read models: the public progress query, an applicant's cases, their data export."""

from __future__ import annotations

from govhall.accounts.models import Person
from govhall.core.identifiers import validate_credit_code, validate_id_number

from ..models import Case, CaseStep, StepState
from . import clocks, timeline


def find_for_progress(number: str, applicant_id: str) -> Case | None:
    """The public progress query: the case when number and applicant ID (ID number or
    credit code) match."""
    value = (applicant_id or "").strip().upper()
    keys = []
    person = validate_id_number(value)
    if person.valid:
        keys.append(Person.index_for(person.normalized))
    company = validate_credit_code(value)
    if company.valid:
        keys.append(company.normalized)
    if not keys:
        return None
    return (
        Case.objects.filter(number=(number or "").strip(), applicant_key__in=keys)
        .select_related("department")
        .first()
    )


def progress(case: Case) -> dict:
    steps = list(case.steps.order_by("sequence").select_related("department"))
    current = next((s for s in steps if s.state == StepState.OPEN), None)
    line = timeline.build(case)
    return {
        "case_number": case.number,
        "item_name": case.item_name,
        "department": case.department.name,
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "status": case.state,
        "status_label": case.get_state_display(),
        "current_step": current.name if current else None,
        "steps_done": [
            {
                "name": s.name,
                "action": s.action,
                "completed_at": s.completed_at,
                "department": s.department.name,
            }
            for s in steps
            if s.state in (StepState.DONE, StepState.RETURNED)
        ],
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_date": case.due_date if case.accepted_at else case.acceptance_due,
        "remaining_working_days": clocks.remaining(case) if case.is_open else None,
        "concluded_at": case.concluded_at,
        "decision": case.decision or None,
        "stages": timeline.public_stages(line),
        "clock_stopped_reason": line.clock_stopped_reason,
    }


def step_history(case: Case) -> list[CaseStep]:
    return list(case.steps.order_by("sequence").select_related("department", "handler"))


def export_for_user(user) -> list[dict]:
    """The cases section of "download my data"."""
    return [
        {
            "case_number": c.number,
            "item_name": c.item_name,
            "status": c.get_state_display(),
            "submitted_at": c.submitted_at,
            "concluded_at": c.concluded_at,
            "decision": c.get_decision_display() if c.decision else "",
        }
        for c in Case.objects.filter(user=user).order_by("-submitted_at")
    ]
