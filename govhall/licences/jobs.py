"""Periodic work of the licence subsystem (run by ``manage.py run_scheduler``)."""

from govhall.operations.registry import job


@job(
    "expire_licences",
    cron="10 0 * * *",
    description="每日00:10为已过有效期的电子证照签发“到期失效”版本",
)
def expire_licences():
    from .services import issuing

    return {"expired": issuing.expire_due()}
