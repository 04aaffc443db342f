"""The bundled gateway's own books: its orders, refunds and the notifications it owes.

These tables belong to the simulated gateway, not to the platform: the platform never
reads them (it learns everything over HTTP), so a test can change them to make the
gateway disagree with the platform (a lost notification, a wrong amount in the bill).
"""

from __future__ import annotations

from django.db import models


class SimOrder(models.Model):
    class Status(models.TextChoices):
        WAIT_BUYER_PAY = "WAIT_BUYER_PAY", "等待付款"
        TRADE_SUCCESS = "TRADE_SUCCESS", "支付成功"
        TRADE_CLOSED = "TRADE_CLOSED", "交易关闭"

    trade_no = models.CharField(max_length=32, unique=True)
    merchant = models.CharField(max_length=32)
    out_trade_no = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    amount_fen = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAIT_BUYER_PAY)
    notify_url = models.CharField(max_length=500)
    return_url = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)  # bumped at each change the merchant is told

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "out_trade_no"], name="sim_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.trade_no} {self.status}"


class SimRefund(models.Model):
    order = models.ForeignKey(SimOrder, on_delete=models.CASCADE, related_name="refunds")
    out_refund_no = models.CharField(max_length=64)
    amount_fen = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    refunded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "out_refund_no"], name="sim_unique_refund")
        ]

    def __str__(self) -> str:
        return f"{self.out_refund_no} {self.amount_fen}"


class SimNotification(models.Model):
    """One asynchronous notification (异步通知) of an order's state at ``seq``."""

    order = models.ForeignKey(SimOrder, on_delete=models.CASCADE, related_name="notifications")
    notify_id = models.CharField(max_length=40, unique=True)
    seq = models.PositiveIntegerField()
    body = models.TextField()  # the signed JSON, exactly as sent each time
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["order", "seq"]

    def __str__(self) -> str:
        return f"{self.notify_id} seq {self.seq}"
