"""What the bundled gateway does: orders, the payer's page, refunds, notifications, bills.

It behaves like the gateways the hall would contract (支付宝、微信支付、银联), to the
extent the platform can tell: idempotent order creation by the merchant's order number,
orders that time out, a payer who pays or cancels, asynchronous signed notifications
that are retried until the merchant answers ``success`` (so they may come twice), may be
delivered in any order (``deliver(order, seqs=…)``) or never (``GOVHALL_PAYMENT_SIM_NOTIFY
= "drop"``), full and partial refunds, and a daily bill (对账单) of every payment and
refund of a day.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import transport
from . import keys
from .models import SimNotification, SimOrder, SimRefund

RETRY_MINUTES = (1, 2, 5, 15, 30, 60, 180, 360)  # then give up (like the real ones)


class SimError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _trade_no() -> str:
    return timezone.localtime().strftime("%Y%m%d%H%M%S") + f"{secrets.randbelow(10**8):08d}"


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def snapshot(order: SimOrder) -> dict:
    """The order as the merchant is told it (query answer and notification body)."""
    refunds = [
        {
            "out_refund_no": r.out_refund_no,
            "amount_fen": r.amount_fen,
            "status": "REFUND_SUCCESS",
            "refunded_at": _iso(r.refunded_at),
        }
        for r in order.refunds.all()
    ]
    return {
        "merchant_id": order.merchant,
        "out_trade_no": order.out_trade_no,
        "trade_no": order.trade_no,
        "status": order.status,
        "amount_fen": order.amount_fen,
        "paid_at": _iso(order.paid_at),
        "closed_at": _iso(order.closed_at),
        "refunded_fen": sum(r["amount_fen"] for r in refunds),
        "refunds": refunds,
        "seq": order.seq,
    }


def pay_url(order: SimOrder) -> str:
    base = settings.GOVHALL_PAYMENT_SIM_PUBLIC_URL.rstrip("/")
    return f"{base}/pay/{order.trade_no}/"


@transaction.atomic
def create_order(merchant: str, data: dict) -> SimOrder:
    try:
        amount = int(data["amount_fen"])
        out_trade_no = str(data["out_trade_no"])[:64]
        expires = datetime.datetime.fromisoformat(data["expires_at"])
        notify_url = str(data["notify_url"])
    except (KeyError, TypeError, ValueError):
        raise SimError("INVALID_PARAMETER", "参数不完整或格式错误") from None
    if amount <= 0:
        raise SimError("INVALID_PARAMETER", "金额须大于0")
    existing = SimOrder.objects.filter(merchant=merchant, out_trade_no=out_trade_no).first()
    if existing is not None:
        if existing.amount_fen != amount:
            raise SimError("ORDER_CONFLICT", "同一商户订单号金额不一致", 409)
        return existing
    try:
        with transaction.atomic():
            return SimOrder.objects.create(
                trade_no=_trade_no(),
                merchant=merchant,
                out_trade_no=out_trade_no,
                subject=str(data.get("subject", ""))[:200],
                amount_fen=amount,
                notify_url=notify_url,
                return_url=str(data.get("return_url", ""))[:500],
                expires_at=expires,
            )
    except IntegrityError:  # the merchant's retry raced its first request: the same order
        return SimOrder.objects.get(merchant=merchant, out_trade_no=out_trade_no)


def locked(merchant: str, out_trade_no: str) -> SimOrder:
    order = (
        SimOrder.objects.select_for_update()
        .filter(merchant=merchant, out_trade_no=out_trade_no)
        .first()
    )
    if order is None:
        raise SimError("TRADE_NOT_EXIST", "交易不存在", 404)
    return expire_if_due(order)


def expire_if_due(order: SimOrder) -> SimOrder:
    """An unpaid order past its time closes (超时关闭), and the merchant is told."""
    if order.status == SimOrder.Status.WAIT_BUYER_PAY and timezone.now() >= order.expires_at:
        order.status, order.closed_at = SimOrder.Status.TRADE_CLOSED, timezone.now()
        _changed(order)
    return order


def _changed(order: SimOrder) -> None:
    """Bump the order's sequence, save it and queue the notification of its new state."""
    order.seq += 1
    order.save()
    body = json.dumps(
        {
            **snapshot(order),
            "notify_id": secrets.token_hex(12),
            "notify_time": _iso(timezone.now()),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    SimNotification.objects.create(
        order=order,
        notify_id=json.loads(body)["notify_id"],
        seq=order.seq,
        body=body,
        next_attempt_at=timezone.now(),
    )


@transaction.atomic
def scan(trade_no: str) -> SimOrder:
    """The payer opened the payment page (扫码): the merchant hears "waiting to pay"."""
    order = expire_if_due(SimOrder.objects.select_for_update().get(trade_no=trade_no))
    if order.status == SimOrder.Status.WAIT_BUYER_PAY and order.scanned_at is None:
        order.scanned_at = timezone.now()
        _changed(order)
    return order


@transaction.atomic
def pay(trade_no: str) -> SimOrder:
    order = expire_if_due(SimOrder.objects.select_for_update().get(trade_no=trade_no))
    if order.status == SimOrder.Status.TRADE_CLOSED:
        raise SimError("TRADE_CLOSED", "交易已关闭，请返回商户重新发起支付", 409)
    if order.status == SimOrder.Status.WAIT_BUYER_PAY:
        order.status, order.paid_at = SimOrder.Status.TRADE_SUCCESS, timezone.now()
        _changed(order)
    return order


@transaction.atomic
def close(merchant: str, out_trade_no: str) -> SimOrder:
    """The merchant or the payer cancels: only an unpaid order closes."""
    order = locked(merchant, out_trade_no)
    if order.status == SimOrder.Status.WAIT_BUYER_PAY:
        order.status, order.closed_at = SimOrder.Status.TRADE_CLOSED, timezone.now()
        _changed(order)
    return order


@transaction.atomic
def cancel_by_payer(trade_no: str) -> SimOrder:
    order = SimOrder.objects.get(trade_no=trade_no)
    return close(order.merchant, order.out_trade_no)


@transaction.atomic
def refund(merchant: str, out_trade_no: str, data: dict) -> SimOrder:
    order = locked(merchant, out_trade_no)
    try:
        amount = int(data["amount_fen"])
        number = str(data["out_refund_no"])[:64]
    except (KeyError, TypeError, ValueError):
        raise SimError("INVALID_PARAMETER", "参数不完整或格式错误") from None
    existing = order.refunds.filter(out_refund_no=number).first()
    if existing is not None:  # the merchant retried: the same refund, not a second one
        return order
    if order.status != SimOrder.Status.TRADE_SUCCESS:
        raise SimError("TRADE_STATUS_ERROR", "交易未支付，不能退款", 409)
    refunded = sum(r.amount_fen for r in order.refunds.all())
    if amount <= 0 or refunded + amount > order.amount_fen:
        raise SimError("REFUND_AMOUNT_INVALID", "退款金额超过可退金额", 409)
    SimRefund.objects.create(
        order=order,
        out_refund_no=number,
        amount_fen=amount,
        reason=str(data.get("reason", ""))[:300],
        refunded_at=timezone.now(),
    )
    _changed(order)
    return order


# --- notifications ---------------------------------------------------------------------


def _send(note: SimNotification) -> bool:
    body = note.body.encode()
    try:
        reply = transport.request(
            "POST", note.order.notify_url, body, {keys.SIGNATURE_HEADER: keys.sign(body)}
        )
    except transport.TransportError as error:
        note.last_error = str(error)[:300]
        return False
    ok = reply.status == 200 and reply.body.strip() == b"success"
    note.last_error = "" if ok else f"HTTP {reply.status} {reply.body[:200]!r}"
    return ok


def _attempted(note: SimNotification, ok: bool) -> None:
    note.attempts += 1
    now = timezone.now()
    if ok:
        note.delivered_at = note.delivered_at or now
        note.next_attempt_at = None
    elif note.attempts <= len(RETRY_MINUTES):
        note.next_attempt_at = now + datetime.timedelta(minutes=RETRY_MINUTES[note.attempts - 1])
    else:
        note.next_attempt_at = None
    note.save(update_fields=["attempts", "delivered_at", "next_attempt_at", "last_error"])


def deliver(order: SimOrder, seqs: list[int] | None = None) -> list[bool]:
    """Send this order's notifications: those of ``seqs`` in exactly that order (repeats
    and reversals are the point), else every one not yet acknowledged, oldest first."""
    notes = {n.seq: n for n in order.notifications.all()}
    chosen = (
        [notes[s] for s in seqs]
        if seqs is not None
        else [n for n in notes.values() if n.delivered_at is None]
    )
    results = []
    for note in chosen:
        ok = _send(note)
        _attempted(note, ok)
        results.append(ok)
    return results


def deliver_due(limit: int = 500) -> dict:
    """The retry loop (the ``gateway_sim_notify`` job): every notification that is due."""
    if settings.GOVHALL_PAYMENT_SIM_NOTIFY == "drop":
        return {"sent": 0, "dropped": True}
    now = timezone.now()
    rows = SimNotification.objects.filter(
        delivered_at__isnull=True, next_attempt_at__lte=now
    ).select_related("order")[:limit]
    sent = failed = 0
    for note in rows:
        ok = _send(note)
        _attempted(note, ok)
        sent, failed = sent + ok, failed + (not ok)
    return {"sent": sent, "failed": failed}


# --- the daily bill --------------------------------------------------------------------

BILL_COLUMNS = ["type", "out_trade_no", "trade_no", "out_refund_no", "amount_fen", "time"]


def bill(merchant: str, day: datetime.date) -> str:
    """对账单: every payment and refund of ``day`` (local time), as CSV."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, zone)
    end = start + datetime.timedelta(days=1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BILL_COLUMNS)
    paid = SimOrder.objects.filter(merchant=merchant, paid_at__gte=start, paid_at__lt=end)
    for order in paid.order_by("paid_at", "pk"):
        writer.writerow(
            ["pay", order.out_trade_no, order.trade_no, "", order.amount_fen, _iso(order.paid_at)]
        )
    refunds = SimRefund.objects.filter(
        order__merchant=merchant, refunded_at__gte=start, refunded_at__lt=end
    ).select_related("order")
    for r in refunds.order_by("refunded_at", "pk"):
        writer.writerow(
            [
                "refund",
                r.order.out_trade_no,
                r.order.trade_no,
                r.out_refund_no,
                r.amount_fen,
                _iso(r.refunded_at),
            ]
        )
    return out.getvalue()
