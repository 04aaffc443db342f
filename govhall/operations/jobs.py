"""Periodic work of operations itself (run by ``manage.py run_scheduler``)."""

from .registry import job


@job(
    "prune_job_runs",
    cron="40 3 * * *",
    description="删除90天前的定时任务运行记录和已停止超过7天的调度进程记录",
)
def prune_job_runs():
    from .services import scheduler

    return scheduler.prune(runs_days=90, instances_days=7)
