"""Periodic work of the two pages (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "send_reminders",
    every=datetime.timedelta(hours=1),
    description="办事温馨提醒：证照到期、补正期限、待领取、待评价、草稿未提交，每项只提醒一次",
)
def send_reminders():
    from .services import reminders

    result = reminders.scan()
    return {"sent": result.sent, "skipped": result.skipped}


@job(
    "send_pushes",
    cron="30 8 * * *",
    description="信息主动推送：按年龄、地区、行业、证照到期和已办结办件匹配推送规则，每项只推送一次",
)
def send_pushes():
    from .services import push

    result = push.scan()
    return {"sent": result.sent, "switched_off": result.switched_off}
