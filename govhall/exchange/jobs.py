"""Periodic work of the exchange (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "deliver_outbox",
    every=datetime.timedelta(minutes=1),
    description="把办件过程信息报送到上级大厅（未配置上级时标记为本地已送达），并检查长时间未送达的记录",
)
def deliver_outbox():
    from .services import outbox

    return {"delivered": outbox.deliver_pending(20 * outbox.BATCH)}
