"""Periodic work of entry monitoring (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "probe_mobile_entries",
    every=datetime.timedelta(minutes=15),
    description="移动端入口定期检测：页面、接口、渠道接入点可访问，移动端事项申请表单可显示、可校验",
    retries=0,
)
def probe_mobile_entries():
    from .services import probe

    summary = probe.run()
    return {
        "checked": summary.checked,
        "failed": summary.failed,
        "alerts": summary.alerts,
        "seconds": summary.seconds,
    }
