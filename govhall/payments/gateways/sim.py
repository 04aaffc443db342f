"""The provider for the bundled gateway (/gateway-sim/), spoken to only over HTTP."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import time

from django.conf import settings

from .. import transport
from ..gatewaysim import keys
from .base import (
    CLOSED,
    PAID,
    PENDING,
    BadSignature,
    Bill,
    BillLine,
    Created,
    Gateway,
    GatewayError,
    RefundLine,
    Snapshot,
)

STATUSES = {"WAIT_BUYER_PAY": PENDING, "TRADE_SUCCESS": PAID, "TRADE_CLOSED": CLOSED}


def _time(value):
    return datetime.datetime.fromisoformat(value) if value else None


def snapshot_of(data: dict) -> Snapshot:
    try:
        return Snapshot(
            order_number=data["out_trade_no"],
            trade_number=data["trade_no"],
            status=STATUSES[data["status"]],
            amount_fen=int(data["amount_fen"]),
            paid_at=_time(data.get("paid_at")),
            refunds=tuple(
                RefundLine(r["out_refund_no"], int(r["amount_fen"]), _time(r.get("refunded_at")))
                for r in data.get("refunds", [])
            ),
            seq=int(data.get("seq", 0)),
            notify_id=str(data.get("notify_id", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise GatewayError("bad_reply", f"支付平台应答格式错误：{error}") from None


class SimGateway(Gateway):
    name = "sim"
    label = "模拟支付平台"

    def __init__(self):
        self.base = settings.GOVHALL_PAYMENT_SIM_URL.rstrip("/")
        self.public_key = settings.GOVHALL_PAYMENT_SIM_PUBLIC_KEY or keys.public_key_pem()

    def _call(self, method: str, path: str, payload: dict | None = None) -> bytes:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        url = self.base + path
        signed_path = url.split("://", 1)[-1]
        signed_path = signed_path[signed_path.index("/") :] if "://" in url else url
        stamp = str(int(time.time()))
        headers = {
            keys.MERCHANT_HEADER: keys.MERCHANT_ID,
            keys.TIMESTAMP_HEADER: stamp,
            keys.MERCHANT_SIGNATURE_HEADER: keys.merchant_signature(
                keys.merchant_secret(), method, signed_path, stamp, body
            ),
        }
        try:
            reply = transport.request(method, url, body, headers)
        except transport.TransportError as error:
            raise GatewayError("gateway_unreachable", f"支付平台无法连接：{error}") from None
        if reply.status >= 500:
            raise GatewayError("gateway_unreachable", f"支付平台暂时不可用（HTTP {reply.status}）")
        signature = {k.lower(): v for k, v in reply.headers.items()}.get(
            keys.SIGNATURE_HEADER.lower(), ""
        )
        if not keys.verify(reply.body, signature, self.public_key):
            raise BadSignature("支付平台应答的签名无效")
        if reply.status != 200:
            try:
                data = json.loads(reply.body)
            except ValueError:
                data = {}
            raise GatewayError(
                str(data.get("code", "gateway_error")).lower(),
                f"支付平台拒绝：{data.get('message', reply.status)}",
            )
        return reply.body

    def create(self, order_number, *, amount_fen, subject, notify_url, return_url, expires_at):
        data = json.loads(
            self._call(
                "POST",
                "/api/orders",
                {
                    "out_trade_no": order_number,
                    "amount_fen": amount_fen,
                    "subject": subject,
                    "notify_url": notify_url,
                    "return_url": return_url,
                    "expires_at": expires_at.isoformat(),
                },
            )
        )
        return Created(trade_number=data["trade_no"], pay_url=data["pay_url"])

    def query(self, order_number):
        return snapshot_of(json.loads(self._call("GET", f"/api/orders/{order_number}")))

    def close(self, order_number):
        return snapshot_of(json.loads(self._call("POST", f"/api/orders/{order_number}/close", {})))

    def refund(self, order_number, refund_number, amount_fen, reason):
        payload = {"out_refund_no": refund_number, "amount_fen": amount_fen, "reason": reason}
        body = self._call("POST", f"/api/orders/{order_number}/refunds", payload)
        return snapshot_of(json.loads(body))

    def parse_notification(self, body, headers):
        signature = headers.get(keys.SIGNATURE_HEADER, "")
        if not keys.verify(body, signature, self.public_key):
            raise BadSignature()
        try:
            data = json.loads(body)
        except ValueError:
            raise GatewayError("bad_reply", "通知不是JSON") from None
        if data.get("merchant_id") != keys.MERCHANT_ID:
            raise BadSignature("通知的商户号不是本平台")
        return snapshot_of(data)

    def bill(self, day):
        body = self._call("GET", f"/api/bills/{day.isoformat()}")
        lines = [
            BillLine(
                kind=row["type"],
                order_number=row["out_trade_no"],
                refund_number=row["out_refund_no"],
                amount_fen=int(row["amount_fen"]),
                at=_time(row["time"]),
            )
            for row in csv.DictReader(io.StringIO(body.decode("utf-8")))
        ]
        return Bill(day=day, lines=lines, sha256=hashlib.sha256(body).hexdigest())
