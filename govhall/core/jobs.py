"""Periodic work of the core app (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "audit_checkpoint",
    every=datetime.timedelta(hours=1),
    description="每小时用平台SM2根密钥签名审计链头，追加到库外检查点文件（链头未变则不写）",
)
def audit_checkpoint():
    from .services import checkpoints

    point, written = checkpoints.write()
    return {"sequence": point.sequence, "written": written}
