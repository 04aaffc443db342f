"""Periodic work of the case engine (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "scan_deadlines",
    every=datetime.timedelta(minutes=15),
    description="移动暂停中的期限、提醒即将到期和超期的环节、办结复核期已过的秒批办件、重发失败的消息",
)
def scan_deadlines():
    from .services import deadlines

    return deadlines.scan()


@job(
    "notify_new_tasks",
    every=datetime.timedelta(minutes=2),
    description="新待办提醒：办件进入岗位待办时，给该岗位在岗人员发送站内消息",
)
def notify_new_tasks():
    from .services import task_alerts

    return task_alerts.deliver()
