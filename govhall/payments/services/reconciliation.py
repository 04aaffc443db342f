"""对账: the gateway's daily bill against the platform's own payments and refunds.

Every line of the bill must be a payment or refund we recorded for that day, with the
same amount, and every one we recorded must be on the bill. Each difference is kept as a
``Mismatch`` (shown on the staff page and the API): 长款 (the gateway has money we do not
know of), 短款 (we think it was paid, the gateway does not), 金额不符. Days are local
(Asia/Shanghai) days of the gateway's own timestamps, which the platform keeps.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.core.services import audit

from ..gateways import base as gateways
from ..models import Mismatch, MismatchKind, PaymentOrder, ReconciliationRun, Refund, RefundState


def _day_range(day: datetime.date):
    start = datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())
    return start, start + datetime.timedelta(days=1)


def platform_lines(provider: str, day: datetime.date) -> dict[tuple[str, str], int]:
    start, end = _day_range(day)
    lines = {}
    for number, amount in PaymentOrder.objects.filter(
        provider=provider, paid_at__gte=start, paid_at__lt=end
    ).values_list("order_number", "amount_fen"):
        lines[("pay", number)] = amount
    for number, amount in Refund.objects.filter(
        order__provider=provider,
        state=RefundState.SUCCEEDED,
        succeeded_at__gte=start,
        succeeded_at__lt=end,
    ).values_list("refund_number", "amount_fen"):
        lines[("refund", number)] = amount
    return lines


def reconcile(day: datetime.date, provider: str | None = None) -> ReconciliationRun:
    gateway = gateways.get(provider)
    bill = gateway.bill(day)
    ours = platform_lines(gateway.name, day)
    theirs: dict[tuple[str, str], int] = {}
    for line in bill.lines:
        key = (line.kind, line.refund_number if line.kind == "refund" else line.order_number)
        theirs[key] = theirs.get(key, 0) + line.amount_fen
    found = []
    for key, amount in sorted(theirs.items()):
        if key not in ours:
            found.append(
                (MismatchKind.MISSING_ON_PLATFORM, key, amount, None, "对账单有、平台无此笔")
            )
        elif ours[key] != amount:
            found.append((MismatchKind.AMOUNT, key, amount, ours[key], "金额不一致"))
    for key, amount in sorted(ours.items()):
        if key not in theirs:
            found.append(
                (MismatchKind.MISSING_AT_GATEWAY, key, None, amount, "平台有、对账单无此笔")
            )
    matched = len(theirs) - sum(1 for f in found if f[0] != MismatchKind.MISSING_AT_GATEWAY)
    with transaction.atomic():
        run = ReconciliationRun.objects.create(
            provider=gateway.name,
            day=day,
            gateway_lines=len(theirs),
            platform_lines=len(ours),
            matched=matched,
            file_sha256=bill.sha256,
        )
        Mismatch.objects.bulk_create(
            Mismatch(
                run=run,
                kind=kind,
                record_type=key[0],
                reference=key[1],
                gateway_fen=gateway_fen,
                platform_fen=platform_fen,
                detail=detail,
            )
            for kind, key, gateway_fen, platform_fen, detail in found
        )
        audit.record(
            AuditEntry.Action.OTHER,
            instance=run,
            after={"day": day, "matched": matched, "mismatches": len(found)},
            reason="支付对账",
        )
    return run
