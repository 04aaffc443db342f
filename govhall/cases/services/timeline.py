"""A case's whole timeline: every stage done, the current one and those still to come.

The public progress query (``stages``) and the citizen and company pages read it. Done
stages carry their date; the current and pending ones the date they are expected by,
counted on the working-day calendar from the catalogue step time limits (行政许可法
Art. 42, 82). While a suspension is open (补正, 听证, 检验检测, 待缴费…) the clock stands still:
no expected date can be promised, so none is given and ``clock_stopped_reason`` says why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from govhall.core.services import calendar

from ..models import ACCEPTANCE_STEP, Case, CaseState, CaseStep, StepState, SuspensionKind
from . import clocks
from .steps import item_steps

APPLICATION_STAGE = "申请"
CONCLUSION_STAGE = "办结"
PAYMENT_STAGE = "缴费"
DONE, CURRENT, PENDING = "done", "current", "pending"
CLOSED_EARLY = (CaseState.REJECTED, CaseState.WITHDRAWN)


@dataclass
class Stage:
    name: str
    state: str
    date: datetime.date | None = None
    expected_date: datetime.date | None = None
    department: str = ""
    since: datetime.date | None = None  # when the current stage started
    time_limit_days: int | None = None  # working days this stage may take


@dataclass
class Timeline:
    stages: list[Stage] = field(default_factory=list)
    clock_stopped_reason: str = ""

    @property
    def current(self) -> Stage | None:
        return next((s for s in self.stages if s.state == CURRENT), None)

    @property
    def next(self) -> Stage | None:
        """The first stage after the current one (what happens next)."""
        seen = False
        for stage in self.stages:
            if seen and stage.state == PENDING:
                return stage
            seen = seen or stage.state == CURRENT
        return None


def _local(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


def _stopped_reason(case: Case) -> str:
    open_ = [s for s in case.suspensions.all() if s.ended_on is None]
    if not open_ and case.state != CaseState.AWAITING_CORRECTION:
        return ""
    if not open_:
        return str(SuspensionKind.CORRECTION.label) + "：等待申请人补正材料"
    latest = open_[-1]
    return f"{latest.get_kind_display()}：{latest.reason}"


def build(case: Case, on: datetime.date | None = None) -> Timeline:
    """The timeline of ``case`` as of ``on`` (today by default)."""
    on = on or clocks.today()
    tasks: list[CaseStep] = list(case.steps.order_by("sequence").select_related("department"))
    catalogue = item_steps(case.item_version)
    intervals = clocks.suspensions_of(case, on)
    stopped = _stopped_reason(case) if case.is_open else ""
    timeline = Timeline(clock_stopped_reason=stopped)
    stages = timeline.stages
    stages.append(Stage(APPLICATION_STAGE, DONE, date=_local(case.submitted_at)))

    acceptance = next((t for t in tasks if t.name == ACCEPTANCE_STEP), None)
    accepting = acceptance.department.name if acceptance else case.department.name
    if case.accepted_at:
        stages.append(
            Stage(ACCEPTANCE_STEP, DONE, date=_local(case.accepted_at), department=accepting)
        )
    elif case.state in CLOSED_EARLY:
        ended = _local(case.concluded_at) or (
            _local(acceptance.completed_at) if acceptance else None
        )
        stages.append(Stage(ACCEPTANCE_STEP, DONE, date=ended, department=accepting))
        return timeline
    else:
        stages.append(
            Stage(
                ACCEPTANCE_STEP,
                CURRENT,
                expected_date=case.acceptance_due,
                department=accepting,
                since=_local(case.submitted_at),
                time_limit_days=clocks.ACCEPTANCE_LIMIT_DAYS,
            )
        )

    decided = case.state in (
        CaseState.DECIDED,
        CaseState.AWAITING_PAYMENT,
        CaseState.CONCLUDED,
    ) or bool(case.decided_at)
    for index, step in enumerate(catalogue):
        latest = None
        for task in tasks:
            if task.catalogue_index == index:
                latest = task
        department = (
            latest.department.name
            if latest
            else (step.department.name if step.department_id else case.department.name)
        )
        stage = Stage(
            step.name, PENDING, department=department, time_limit_days=step.time_limit_days
        )
        if decided or (latest and latest.state == StepState.DONE):
            stage.state = DONE
            stage.date = _local(latest.completed_at) if latest else _local(case.decided_at)
        elif latest and latest.state == StepState.OPEN:
            stage.state = CURRENT
            stage.since = _local(latest.started_at)
            stage.expected_date = latest.due_date
        stages.append(stage)
    if case.state in CLOSED_EARLY:
        timeline.stages = [s for s in stages if s.state == DONE]
        return timeline

    # 缴费 (govhall.payments): the wait for the fee is the payment suspension's.
    payment = [s for s in case.suspensions.all() if s.kind == SuspensionKind.PAYMENT]
    if payment:
        stage = Stage(PAYMENT_STAGE, DONE, department=case.department.name)
        if case.state == CaseState.AWAITING_PAYMENT:
            stage.state, stage.since = CURRENT, payment[-1].started_on
        else:
            stage.date = payment[-1].ended_on
        stages.append(stage)
    conclusion = Stage(CONCLUSION_STAGE, PENDING, department=case.department.name)
    if case.concluded_at:
        conclusion.state, conclusion.date = DONE, _local(case.concluded_at)
    elif case.state == CaseState.DECIDED:
        conclusion.state, conclusion.since = CURRENT, _local(case.decided_at)
    stages.append(conclusion)
    if not any(s.state == CURRENT for s in stages) and case.is_open:
        # e.g. 人工复核 outside the catalogue steps: the first pending stage is under way
        first = next((s for s in stages if s.state == PENDING), None)
        if first is not None:
            first.state = CURRENT
    _expect(case, timeline, intervals)
    return timeline


def _expect(case: Case, timeline: Timeline, intervals) -> None:
    """Expected dates of the current and pending stages; none while the clock is stopped."""
    if timeline.clock_stopped_reason:
        for stage in timeline.stages:
            if stage.state != DONE:
                stage.expected_date = None
        return
    previous: datetime.date | None = None
    for stage in timeline.stages:
        if stage.state == DONE:
            previous = stage.date
            continue
        if stage.name == CONCLUSION_STAGE and stage is timeline.stages[-1]:
            due = case.due_date if case.accepted_at else None
            if due is None and previous is not None:
                due = calendar.add_working_days(
                    previous, case.promised_limit_days, intervals
                ).due_date
            stage.expected_date = max(filter(None, [due, previous]), default=None)
            continue
        if stage.state == CURRENT and stage.expected_date is None and stage.since:
            stage.expected_date = calendar.add_working_days(
                stage.since, stage.time_limit_days or 0, intervals
            ).due_date
        elif stage.state == PENDING and previous is not None:
            stage.expected_date = calendar.add_working_days(
                previous, stage.time_limit_days or 0, intervals
            ).due_date
        previous = stage.expected_date or previous


def public_stages(timeline: Timeline) -> list[dict]:
    """The ``stages`` of the public progress query: no names of people, no personal data."""
    rows = []
    for stage in timeline.stages:
        row = {"name": stage.name, "state": stage.state}
        if stage.state == DONE:
            row["date"] = stage.date
        elif stage.expected_date is not None:
            row["expected_date"] = stage.expected_date
        rows.append(row)
    return rows
