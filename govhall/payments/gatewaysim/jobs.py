"""The bundled gateway's retry loop for its asynchronous notifications."""

import datetime

from govhall.operations.registry import job


@job(
    "gateway_sim_notify",
    every=datetime.timedelta(minutes=1),
    description="模拟支付平台：发送和重发支付结果异步通知（直到商户应答success）",
)
def gateway_sim_notify():
    from . import services

    return services.deliver_due()
