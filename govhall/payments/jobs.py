"""Periodic work of payments (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "payments_query_pending",
    every=datetime.timedelta(minutes=2),
    description="主动查询待支付订单：支付通知可能丢失或迟到；超时未付的订单在支付平台关闭",
)
def payments_query_pending():
    from .services import orders

    return orders.query_pending()


@job(
    "payments_reconcile",
    cron="30 9 * * *",
    description="支付对账：取前一日对账单，与平台缴费、退款记录逐笔核对，差异列入对账报告",
)
def payments_reconcile():
    from django.utils import timezone

    from .services import reconciliation

    day = timezone.localdate() - datetime.timedelta(days=1)
    run = reconciliation.reconcile(day)
    return {"day": str(day), "matched": run.matched, "mismatches": run.mismatches.count()}
