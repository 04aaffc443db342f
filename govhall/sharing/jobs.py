"""Periodic work of shared data (run by ``manage.py run_scheduler``)."""

from govhall.operations.registry import job


class OpenDataWithheld(RuntimeError):
    """Raised after the other datasets are published, so the scheduler records the run
    as failed and alerts the hall administrators."""


@job(
    "publish_open_data",
    cron="30 2 * * *",
    description="重新生成开放数据集（CSV、JSON、XLSX），发布前逐格检查个人信息",
)
def publish_open_data():
    from .services import publishing

    outcomes = publishing.publish_all()
    withheld = [o for o in outcomes if not o.published]
    if withheld:
        detail = "；".join(f"{o.key}：{o.findings[0]}" for o in withheld)
        raise OpenDataWithheld(f"{len(withheld)}个开放数据集因含个人信息暂停更新：{detail}")
    return {"datasets": len(outcomes), "rows": sum(o.rows for o in outcomes)}


@job(
    "sharing_request_deadlines",
    cron="0 8 * * *",
    description="共享申请答复期限：临近期限提醒提供部门审核，超期上报监督人员（各一次）",
)
def sharing_request_deadlines():
    from .services import approvals

    return approvals.remind_and_escalate()
