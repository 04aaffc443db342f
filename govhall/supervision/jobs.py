"""Periodic work of supervision (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "supervise",
    every=datetime.timedelta(minutes=5),
    description="电子监察：按预警规则检查新报送和本厅的办件过程信息、扫描临近和超过时限的办件、"
    "督办逾期未反馈的黄牌红牌",
)
def supervise():
    from .services import complaints, detection, followups

    read = detection.watch()
    scanned = detection.scan()
    overdue = complaints.raise_overdue()
    late_follow_ups = followups.raise_overdue()
    escalated = detection.escalate()
    return {
        "records": read,
        **scanned,
        "complaints_overdue": overdue,
        "follow_ups_overdue": late_follow_ups,
        **escalated,
    }
