"""Periodic work of the process records (run by ``manage.py run_scheduler``)."""

from govhall.operations.registry import job


@job(
    "create_record_partitions",
    cron="10 0 * * *",
    description="办件过程信息按月分区：提前建好本月及之后三个月的分区（PostgreSQL）",
)
def create_record_partitions():
    from .services import partitions

    created = partitions.ensure_months()
    return {"created": [f"{month:%Y-%m}" for month in created]}
