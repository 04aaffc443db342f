"""Due dates of a case and its steps, from the one calendar service.

Counting starts the day after acceptance (行政许可法 Art. 82 practice); suspensions
(补正, 特别程序) stop the clock; an open suspension is counted up to today, so due
dates move forward each day it lasts (the nightly ``scan_deadlines`` recomputes).
Before acceptance the clock is the 5-working-day acceptance limit (Art. 32).
"""

from __future__ import annotations

import datetime

from django.db.models.functions import TruncDate
from django.utils import timezone

from govhall.core.services import calendar
from govhall.core.services.calendar import Interval

from ..models import Case, CaseStep, StepState

ACCEPTANCE_LIMIT_DAYS = 5


def today() -> datetime.date:
    return timezone.localdate()


def suspensions_of(case: Case, on: datetime.date | None = None) -> list[Interval]:
    on = on or today()
    intervals = []
    if case.pk is None:
        return intervals
    for s in case.suspensions.all():
        end = s.ended_on or max(on, s.started_on)
        intervals.append(Interval(s.started_on, end))
    return intervals


def due_dates(case, intervals: list[Interval], add=calendar.add_working_days, zone=None) -> dict:
    """The case's due-date fields for these suspensions (only those that apply: before
    acceptance there is no statutory or promised date to move). ``case`` needs the
    submission, acceptance and limit fields; ``add`` is ``calendar.add_working_days`` or
    a ``calendar.Batch``'s ``add`` (the scan), which also passes the ``zone`` once (looking
    it up per case was a third of the scan's computing)."""
    zone = zone or timezone.get_current_timezone()
    accepted_on = timezone.localdate(case.accepted_at, zone) if case.accepted_at else None
    return due_dates_from(
        timezone.localdate(case.submitted_at, zone),
        accepted_on,
        case.statutory_limit_days,
        case.extension_days,
        case.promised_limit_days,
        intervals,
        add,
    )


def due_dates_from(
    submitted_on: datetime.date,
    accepted_on: datetime.date | None,
    statutory_limit_days: int | None,
    extension_days: int,
    promised_limit_days: int,
    intervals: list[Interval],
    add=calendar.add_working_days,
) -> dict:
    """``due_dates`` from the local days of submission and acceptance (``local_day``):
    what the scan reads, so it loads no timestamps."""
    due = add(submitted_on, ACCEPTANCE_LIMIT_DAYS, intervals)
    fields = {"acceptance_due": due.due_date}
    complete = due.complete
    if accepted_on:
        if statutory_limit_days is not None:
            due = add(accepted_on, statutory_limit_days + extension_days, intervals)
            fields["statutory_due"], complete = due.due_date, complete and due.complete
        due = add(accepted_on, promised_limit_days, intervals)
        fields["promised_due"], complete = due.due_date, complete and due.complete
    fields["calendar_complete"] = complete
    return fields


def step_due_date(step, intervals: list[Interval], add=calendar.add_working_days, zone=None):
    started_on = timezone.localdate(step.started_at, zone or timezone.get_current_timezone())
    return step_due_date_from(started_on, step.time_limit_days, intervals, add)


def step_due_date_from(
    started_on: datetime.date, time_limit_days: int, intervals, add=calendar.add_working_days
):
    """``step_due_date`` from the local day the task started (``local_day``)."""
    return add(started_on, time_limit_days, intervals).due_date


def local_day(field: str) -> TruncDate:
    """The local day (current time zone) of the moment in ``field``, computed by the
    database — the day ``timezone.localdate`` gives — for the set-based readers of the
    clocks' inputs (``deadlines``), which then load dates, not timestamps."""
    return TruncDate(field)


def recompute(case: Case, on: datetime.date | None = None) -> list[str]:
    """Set every due date of ``case`` and its open steps; returns the changed case fields."""
    on = on or today()
    intervals = suspensions_of(case, on)
    for name, value in due_dates(case, intervals).items():
        setattr(case, name, value)
    if case.pk is None:
        return ["acceptance_due", "statutory_due", "promised_due", "calendar_complete"]
    for step in case.steps.filter(state=StepState.OPEN):
        step_due = step_due_date(step, intervals)
        if step.due_date != step_due:
            CaseStep.objects.filter(pk=step.pk).update(due_date=step_due)
    return ["acceptance_due", "statutory_due", "promised_due", "calendar_complete"]


def remaining(case: Case, on: datetime.date | None = None) -> int | None:
    """Working days left to the date the applicant was promised (negative when overdue)."""
    due = case.due_date if case.accepted_at else case.acceptance_due
    if due is None:
        return None
    on = on or today()
    return calendar.remaining_working_days(on, due, suspensions_of(case, on))


def step_remaining(step: CaseStep, on: datetime.date | None = None) -> int | None:
    if step.due_date is None:
        return None
    on = on or today()
    return calendar.remaining_working_days(on, step.due_date, suspensions_of(step.case, on))
