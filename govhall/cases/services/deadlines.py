"""The periodic scan: move suspended clocks, remind staff, close expired review windows.

Run by ``manage.py scan_deadlines`` (cron or a scheduler, e.g. every 15 minutes and
once after midnight). Idempotent: a step is reminded once, a case concluded once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govhall.core.services import calendar
from govhall.regions.models import StaffPost

from ..models import Case, CaseState, CaseStep, Delivery, Notification, StepState
from . import clocks, handling, notifications, transitions


@dataclass
class ScanReport:
    recomputed: int = 0
    reminded: int = 0
    concluded: int = 0
    resent: int = 0


def scan(on=None) -> ScanReport:
    on = on or clocks.today()
    report = ScanReport()
    for case in Case.objects.filter(suspensions__ended_on__isnull=True).distinct():
        with transaction.atomic():
            case = transitions.lock(case)
            clocks.recompute(case, on)
            case.save(
                update_fields=[
                    "acceptance_due",
                    "statutory_due",
                    "promised_due",
                    "calendar_complete",
                    "updated_at",
                ]
            )
            report.recomputed += 1
    report.reminded = remind_staff(on)
    for case in Case.objects.filter(
        state=CaseState.DECIDED, auto_decided=True, review_deadline__lt=on
    ):
        with transaction.atomic():
            case = transitions.lock(case)
            if case.state == CaseState.DECIDED:
                handling._conclude(case, None, delivery=Delivery.ELECTRONIC)
                report.concluded += 1
    report.resent = notifications.send_pending()
    return report


def remind_staff(on) -> int:
    """A message to every holder of the post, once per step, when it is due within the lead
    time (GOVHALL_REMINDER_WORKING_DAYS) or overdue."""
    from django.conf import settings

    horizon = calendar.add_working_days(on, settings.GOVHALL_REMINDER_WORKING_DAYS).due_date
    count = 0
    steps = CaseStep.objects.filter(
        state=StepState.OPEN, reminded_at__isnull=True, due_date__lte=horizon
    ).exclude(case_state=CaseState.SUSPENDED)
    for step in steps.iterator():
        users = StaffPost.objects.filter(
            department_id=step.department_id, post=step.post, is_active=True
        ).values_list("user_id", flat=True)
        overdue = step.due_date < on
        title = "办件已超期" if overdue else "办件即将到期"
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=user_id,
                    case_number=step.case_number,
                    event="overdue" if overdue else "due_soon",
                    title=title,
                    body=f"{step.case_number}（{step.item_name}）的“{step.name}”环节"
                    f"{'已于' if overdue else '将于'}{step.due_date:%Y年%m月%d日}到期。",
                    link=f"/workbench/cases/{step.case_number}/",
                )
                for user_id in users
            ]
        )
        CaseStep.objects.filter(pk=step.pk).update(reminded_at=timezone.now())
        count += 1
    return count
