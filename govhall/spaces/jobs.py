"""Periodic work of the two pages (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "send_reminders",
    every=datetime.timedelta(hours=1),
    description="办事温馨提醒：证照到期、补正期限、待缴费、待领取、待评价、草稿未提交，每项只提醒一次",
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


@job(
    "publish_page_usage",
    cron="15 1 * * *",
    description="两页使用情况：按地市统计本月使用个人网页的人数和使用企业专属网页的企业数，写入数据监测",
)
def publish_page_usage():
    from django.utils import timezone

    from .services import indicators

    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    # last month too: its final day's use is counted after midnight
    return {str(m): indicators.publish(m) for m in (last_month, this_month)}
