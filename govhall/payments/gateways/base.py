"""The payment-gateway interface (支付渠道): what the platform asks of any provider.

A provider turns the platform's order into a payment page, answers queries about it,
closes it, refunds it in full or in part, proves its notifications genuine and hands
over its daily bill. Providers are named in ``GOVHALL_PAYMENT_PROVIDERS`` (name → dotted
class path) and chosen by ``GOVHALL_PAYMENT_PROVIDER``; each answers in the shapes below,
so the services never see a provider's own vocabulary.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

PENDING, PAID, CLOSED = "pending", "paid", "closed"


class GatewayError(Exception):
    """The provider refused, could not be reached, or answered something unsigned."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class BadSignature(GatewayError):
    def __init__(self, message: str = "支付平台签名验证失败"):
        super().__init__("bad_signature", message)


@dataclass(frozen=True)
class RefundLine:
    refund_number: str
    amount_fen: int
    refunded_at: datetime.datetime | None


@dataclass(frozen=True)
class Snapshot:
    """An order as the provider knows it now; ``seq`` grows with each change."""

    order_number: str
    trade_number: str
    status: str  # PENDING, PAID or CLOSED
    amount_fen: int
    paid_at: datetime.datetime | None = None
    refunds: tuple[RefundLine, ...] = ()
    seq: int = 0
    notify_id: str = ""


@dataclass(frozen=True)
class Created:
    trade_number: str
    pay_url: str


@dataclass(frozen=True)
class BillLine:
    kind: str  # "pay" or "refund"
    order_number: str
    refund_number: str
    amount_fen: int
    at: datetime.datetime | None


@dataclass
class Bill:
    day: datetime.date
    lines: list[BillLine] = field(default_factory=list)
    sha256: str = ""


class Gateway:
    name = ""
    label = ""

    def create(
        self, order_number, *, amount_fen, subject, notify_url, return_url, expires_at
    ) -> Created:
        raise NotImplementedError

    def query(self, order_number: str) -> Snapshot:
        raise NotImplementedError

    def close(self, order_number: str) -> Snapshot:
        raise NotImplementedError

    def refund(self, order_number: str, refund_number: str, amount_fen: int, reason: str):
        raise NotImplementedError

    def parse_notification(self, body: bytes, headers) -> Snapshot:
        """The snapshot a notification carries; ``BadSignature`` unless it is genuine."""
        raise NotImplementedError

    def bill(self, day: datetime.date) -> Bill:
        raise NotImplementedError


def get(name: str | None = None) -> Gateway:
    name = name or settings.GOVHALL_PAYMENT_PROVIDER
    try:
        path = settings.GOVHALL_PAYMENT_PROVIDERS[name]
    except KeyError:
        raise GatewayError("unknown_provider", f"未配置支付渠道“{name}”。") from None
    return import_string(path)()
