"""退费: staff of the collecting department refund a paid order in full or in part; a
duplicate payment is refunded in full by the hall itself. The refund row is committed
before the gateway is asked (its number makes the request idempotent), and the answer is
applied by ``orders.sync`` like any other news from the gateway."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum

from govhall.cases.services import access
from govhall.core.errors import refuse

from ..gateways import base as gateways
from ..models import OrderState, PaymentOrder, Refund, RefundState
from . import assessment as assessing
from . import money, orders

logger = logging.getLogger(__name__)


def refundable_fen(order: PaymentOrder) -> int:
    asked = order.refunds.exclude(state=RefundState.FAILED).aggregate(s=Sum("amount_fen"))["s"]
    return order.amount_fen - (asked or 0)


def _create(order: PaymentOrder, user, amount_fen: int, reason: str) -> Refund:
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.paid_at is None or order.state not in (OrderState.PAID,):
            raise refuse("order", "not_paid", "只有已支付的订单可以退款。")
        left = refundable_fen(order)
        if amount_fen < 1 or amount_fen > left:
            raise refuse(
                "amount_fen",
                "range",
                f"退款金额须为1分至可退金额{money.yuan(left)}元（{left}分）。",
            )
        return Refund.objects.create(
            refund_number=money.number("R"),
            order=order,
            amount_fen=amount_fen,
            reason=reason[:300],
            requested_by=user,
        )


def _send(refund: Refund) -> Refund:
    order = refund.order
    try:
        snapshot = gateways.get(order.provider).refund(
            order.order_number, refund.refund_number, refund.amount_fen, refund.reason
        )
    except gateways.GatewayError as error:
        logger.warning("refund %s: %s", refund.refund_number, error.message)
        if error.code in ("gateway_unreachable", "bad_signature"):
            return refund  # stays pending: the query job asks again
        Refund.objects.filter(pk=refund.pk).update(state=RefundState.FAILED)
        raise refuse("amount_fen", "refund_refused", error.message) from None
    orders.sync(order.order_number, snapshot, source="refund")
    refund.refresh_from_db()
    return refund


def request_refund(order: PaymentOrder, user, *, amount_fen, reason: str) -> Refund:
    case = order.assessment.case
    if not assessing.may_assess(user, case) or access.party_role(user, case):
        raise refuse("order", "not_your_case", "只有执收部门的承办或审批人员可以办理退款。")
    if not (reason or "").strip():
        raise refuse("reason", "required", "请写明退款理由。")
    try:
        amount_fen = int(amount_fen)
    except (TypeError, ValueError):
        raise refuse("amount_fen", "integer", "退款金额须为整数（分）。") from None
    return _send(_create(order, user, amount_fen, reason.strip()))


def refund_duplicate(order: PaymentOrder) -> Refund | None:
    """A second payment of one assessment goes back in full, at once (重复缴费原路退回)."""
    if refundable_fen(order) <= 0:
        return None
    refund = _create(order, None, refundable_fen(order), "重复缴费，原路全额退回")
    return _send(refund)
