"""Paying an assessment: orders at the gateway, what the gateway tells us, and the one rule
that nothing is paid twice.

Whatever the gateway says — a notification, the answer to a query, the answer to a close
or a refund — arrives here as a ``Snapshot`` of the order and is applied by ``sync``
under a lock of the assessment row, so two notifications racing, a notification racing
a query, or the same notification repeated are applied once, in order. A snapshot older
than what we already applied (``seq``) is stale and ignored. A payment of an assessment
that another order already paid is kept as a duplicate and refunded in full at once.

No network call is made while a database transaction is open: the order row is
committed first, then the gateway is asked, then its answer is applied.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from govhall.cases.models import Case, CaseState, Suspension, SuspensionKind
from govhall.cases.services import clocks, handling, notifications, transitions
from govhall.core.errors import refuse

from ..gateways import base as gateways
from ..models import (
    AssessmentState,
    FeeAssessment,
    GatewayNotification,
    OrderState,
    PaymentOrder,
    RefundState,
)
from . import events, money

logger = logging.getLogger(__name__)

SUPERSEDED = "即将超时，已另行发起"
ORDER_MINUTES = getattr(settings, "GOVHALL_PAYMENT_ORDER_MINUTES", 30)
APPLICANT = transitions.APPLICANT
SYSTEM = transitions.SYSTEM
Outcome = GatewayNotification.Outcome


def _absolute(path: str) -> str:
    base = settings.GOVHALL_PAYMENT_CALLBACK_BASE.rstrip("/")
    return base + path


def notify_url(provider: str) -> str:
    return _absolute(reverse("api-payment-notify", args=[provider]))


def return_url(order_number: str) -> str:
    base = settings.GOVHALL_PUBLIC_URL if settings.GOVHALL_PAYMENT_CALLBACK_BASE else ""
    return base + reverse("payments:return", args=[order_number])


# --- opening an order --------------------------------------------------------------------


def _locked_assessment(pk: int) -> FeeAssessment:
    return FeeAssessment.objects.select_for_update().select_related("case").get(pk=pk)


def open_order(assessment: FeeAssessment, user, *, channel: str = "") -> PaymentOrder:
    """The order to pay ``assessment`` with: the pending one if there is one (a second click
    opens nothing new), else a new one at the configured gateway."""
    provider = gateways.get()
    with transaction.atomic():
        assessment = _locked_assessment(assessment.pk)
        if assessment.state != AssessmentState.DUE:
            raise refuse("assessment", "not_due", "该笔费用已缴清或无需缴纳。")
        order = assessment.orders.filter(state=OrderState.PENDING).first()
        if order is not None and order.expires_at <= timezone.now() + datetime.timedelta(minutes=2):
            order = None  # about to time out: the query job closes it; open a fresh one
            _close_locally_expiring(assessment)
        if order is None:
            order = PaymentOrder.objects.create(
                order_number=money.number("P"),
                assessment=assessment,
                provider=provider.name,
                amount_fen=assessment.total_fen,
                channel=channel[:40],
                created_by=user,
                expires_at=timezone.now() + datetime.timedelta(minutes=ORDER_MINUTES),
            )
    if order.pay_url:
        return order
    created = provider.create(
        order.order_number,
        amount_fen=order.amount_fen,
        subject=f"{assessment.case.item_name}（缴款码{assessment.payment_code}）"[:200],
        notify_url=notify_url(provider.name),
        return_url=return_url(order.order_number),
        expires_at=order.expires_at,
    )
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if not order.pay_url:
            order.pay_url, order.trade_number = created.pay_url, created.trade_number
            order.save(update_fields=["pay_url", "trade_number"])
            events.record(
                assessment.case,
                "open_payment",
                instance=order,
                details={
                    "order_number": order.order_number,
                    "amount_fen": order.amount_fen,
                    "provider": order.provider,
                    "channel": order.channel,
                },
                handler=APPLICANT,
            )
    return order


def _close_locally_expiring(assessment: FeeAssessment) -> None:
    """An order about to expire stops being *the* pending one (the constraint allows one);
    it stays known, so a late payment of it is still recognised (and refunded if double)."""
    for order in assessment.orders.filter(state=OrderState.PENDING):
        order.state, order.closed_at, order.close_reason = (
            OrderState.CLOSED,
            timezone.now(),
            SUPERSEDED,
        )
        order.save(update_fields=["state", "closed_at", "close_reason"])


# --- applying what the gateway says ------------------------------------------------------


@dataclass
class Applied:
    outcome: str
    order: PaymentOrder | None = None
    refund_duplicate: bool = False


def sync(order_number: str, snapshot: gateways.Snapshot, *, source: str) -> Applied:
    """Apply ``snapshot`` (from a notification, query or answer) to our order, once."""
    with transaction.atomic():
        head = PaymentOrder.objects.filter(order_number=order_number).values("assessment_id")
        head = head.first()
        if head is None:
            return Applied(Outcome.UNKNOWN_ORDER)
        assessment = _locked_assessment(head["assessment_id"])
        order = PaymentOrder.objects.select_for_update().get(order_number=order_number)
        if snapshot.amount_fen != order.amount_fen:
            logger.error("gateway amount %s for order %s", snapshot.amount_fen, order_number)
            return Applied(Outcome.STALE, order)
        if snapshot.seq and snapshot.seq < order.gateway_seq:
            return Applied(Outcome.STALE, order)
        if snapshot.seq and snapshot.seq == order.gateway_seq:
            return Applied(Outcome.DUPLICATE, order)
        duplicate = False
        if snapshot.status == gateways.PAID or snapshot.refunds:
            duplicate = _paid(assessment, order, snapshot, source)
        elif snapshot.status == gateways.CLOSED and order.state == OrderState.PENDING:
            _closed(assessment, order, "超时或取消" if source != "cancel" else "缴款人取消")
        _refunds(assessment, order, snapshot)
        order.gateway_seq = max(order.gateway_seq, snapshot.seq)
        order.save()
    if duplicate:
        from . import refunds

        refunds.refund_duplicate(order)
    return Applied(Outcome.APPLIED, order, duplicate)


def _paid(assessment: FeeAssessment, order: PaymentOrder, snapshot, source: str) -> bool:
    """Mark ``order`` paid; True when the assessment was already paid by another order."""
    if order.paid_at is not None:
        return False
    order.paid_at = snapshot.paid_at or timezone.now()
    order.trade_number = snapshot.trade_number or order.trade_number
    order.state = OrderState.PAID
    order.closed_at, order.close_reason = None, ""
    case = transitions.lock(assessment.case_id)
    if assessment.state != AssessmentState.DUE:
        order.duplicate = True
        order.save()
        events.record(
            case,
            "pay",
            instance=order,
            details={
                "order_number": order.order_number,
                "amount_fen": order.amount_fen,
                "duplicate": True,
                "source": source,
            },
            handler=SYSTEM,
        )
        return True
    order.save()
    assessment.state, assessment.paid_at = AssessmentState.PAID, order.paid_at
    assessment.receipt_number = _receipt_number(assessment)
    assessment.save(update_fields=["state", "paid_at", "receipt_number"])
    Suspension.objects.filter(case=case, kind=SuspensionKind.PAYMENT, ended_on__isnull=True).update(
        ended_on=clocks.today(), result=f"已缴费（订单{order.order_number}）"
    )
    if case.state == CaseState.AWAITING_PAYMENT:
        transitions.apply(
            case,
            "pay",
            handler=SYSTEM,
            details={
                "order_number": order.order_number,
                "trade_number": order.trade_number,
                "amount_fen": order.amount_fen,
                "payment_code": assessment.payment_code,
                "receipt_number": assessment.receipt_number,
                "source": source,
            },
        )
        notifications.notify(case, "pay")
        if assessment.conclude_when_paid:
            handling._conclude(
                case, None, delivery=case.delivery or handling._default_delivery(case)
            )
    return False


def _receipt_number(assessment: FeeAssessment) -> str:
    return f"PJ{assessment.payment_code[:8]}{assessment.pk:010d}"


def _closed(assessment, order: PaymentOrder, reason: str) -> None:
    order.state, order.closed_at, order.close_reason = OrderState.CLOSED, timezone.now(), reason
    events.record(
        Case.objects.select_related("department", "bundle_case").get(pk=assessment.case_id),
        "close_payment",
        instance=order,
        details={"order_number": order.order_number, "reason": reason},
        handler=SYSTEM,
    )


def _refunds(assessment: FeeAssessment, order: PaymentOrder, snapshot) -> None:
    known = {r.refund_number: r for r in order.refunds.all()}
    case = None
    for line in snapshot.refunds:
        refund = known.get(line.refund_number)
        if refund is None or refund.state == RefundState.SUCCEEDED:
            continue  # unknown ones show in the reconciliation
        refund.state, refund.succeeded_at = (
            RefundState.SUCCEEDED,
            line.refunded_at or timezone.now(),
        )
        refund.save(update_fields=["state", "succeeded_at"])
        order.refunded_fen += refund.amount_fen
        if not order.duplicate:
            assessment.refunded_fen += refund.amount_fen
            assessment.save(update_fields=["refunded_fen"])
        case = case or Case.objects.select_related("department", "bundle_case").get(
            pk=assessment.case_id
        )
        events.record(
            case,
            "refund",
            instance=refund,
            details={
                "order_number": order.order_number,
                "refund_number": refund.refund_number,
                "amount_fen": refund.amount_fen,
                "refunded_fen": order.refunded_fen,
                "reason": refund.reason,
                "duplicate": order.duplicate,
            },
            handler=SYSTEM,
        )
    if order.refunded_fen >= order.amount_fen and order.paid_at:
        order.state = OrderState.REFUNDED


# --- notifications, queries, cancellation -------------------------------------------------


def handle_notification(provider_name: str, body: bytes, headers) -> str:
    """A notification as the gateway posted it; returns the outcome (always logged)."""
    provider = gateways.get(provider_name)
    text = body.decode("utf-8", errors="replace")[:20000]
    try:
        snapshot = provider.parse_notification(body, headers)
    except gateways.BadSignature:
        GatewayNotification.objects.create(
            provider=provider_name, body=text, outcome=Outcome.BAD_SIGNATURE
        )
        raise
    applied = sync(snapshot.order_number, snapshot, source="notification")
    GatewayNotification.objects.create(
        provider=provider_name,
        order_number=snapshot.order_number,
        notify_id=snapshot.notify_id[:64],
        seq=snapshot.seq,
        body=text,
        outcome=applied.outcome,
    )
    return applied.outcome


def refresh(order: PaymentOrder) -> PaymentOrder:
    """Ask the gateway (主动查询) and apply its answer."""
    snapshot = gateways.get(order.provider).query(order.order_number)
    sync(order.order_number, snapshot, source="query")
    order.refresh_from_db()
    return order


def cancel(order: PaymentOrder) -> PaymentOrder:
    """The payer gives up this order; if the gateway says it was paid meanwhile, it is."""
    if order.state != OrderState.PENDING:
        raise refuse("order", "not_pending", "只有待支付的订单可以取消。")
    snapshot = gateways.get(order.provider).close(order.order_number)
    sync(order.order_number, snapshot, source="cancel")
    order.refresh_from_db()
    return order


def query_pending(older_than: datetime.timedelta = datetime.timedelta(minutes=1)) -> dict:
    """The ``payments_query_pending`` job: every order still pending (the notification may
    never come) is queried; one past its time is closed at the gateway (超时关闭). An order
    superseded by a fresh one is asked once more after it expired: a late payment of it
    is then found (and refunded if the fee was paid twice)."""
    now = timezone.now()
    counts = {"queried": 0, "paid": 0, "closed": 0, "errors": 0}
    superseded = Q(
        state=OrderState.CLOSED,
        close_reason=SUPERSEDED,
        last_queried_at__isnull=True,
        expires_at__lte=now,
    )
    rows = PaymentOrder.objects.filter(
        Q(state=OrderState.PENDING, created_at__lte=now - older_than) | superseded
    )
    for order in list(rows.order_by("created_at")[:500]):
        provider = gateways.get(order.provider)
        try:
            snapshot = provider.query(order.order_number)
            if snapshot.status == gateways.PENDING and order.expires_at <= now:
                snapshot = provider.close(order.order_number)
            sync(order.order_number, snapshot, source="query")
            PaymentOrder.objects.filter(pk=order.pk).update(last_queried_at=timezone.now())
        except gateways.GatewayError as error:
            counts["errors"] += 1
            logger.warning("query of %s failed: %s", order.order_number, error.message)
            continue
        counts["queried"] += 1
        order.refresh_from_db()
        counts["paid"] += order.state == OrderState.PAID
        counts["closed"] += order.state == OrderState.CLOSED
    return counts


def current_order(assessment: FeeAssessment) -> PaymentOrder | None:
    return assessment.orders.order_by("-created_at", "-pk").first()


def paid_order(assessment: FeeAssessment) -> PaymentOrder | None:
    return assessment.orders.filter(paid_at__isnull=False, duplicate=False).first()
