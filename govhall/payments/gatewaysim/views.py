"""The bundled gateway's endpoints under /gateway-sim/: the merchant API (HMAC-signed
requests, ECDSA-signed answers) and the payer's page (redirect or QR)."""

from __future__ import annotations

import datetime
import hmac
import json

import segno
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import keys, services
from .models import SimOrder

CLOCK_SKEW = datetime.timedelta(minutes=5)


def _signed(payload: dict | str, status: int = 200, content_type="application/json"):
    if isinstance(payload, dict):
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    else:
        body = payload.encode()
    response = HttpResponse(body, status=status, content_type=f"{content_type}; charset=utf-8")
    response[keys.SIGNATURE_HEADER] = keys.sign(body)
    return response


def _error(code: str, message: str, status: int):
    return _signed({"code": code, "message": message}, status)


def _merchant(request) -> str | None:
    """The merchant id when the request carries a valid, fresh HMAC signature."""
    merchant = request.headers.get(keys.MERCHANT_HEADER, "")
    stamp = request.headers.get(keys.TIMESTAMP_HEADER, "")
    given = request.headers.get(keys.MERCHANT_SIGNATURE_HEADER, "")
    try:
        moment = datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    if abs(timezone.now() - moment) > CLOCK_SKEW or merchant != keys.MERCHANT_ID:
        return None
    expected = keys.merchant_signature(
        keys.merchant_secret(), request.method, request.path, stamp, request.body
    )
    return merchant if hmac.compare_digest(expected, given) else None


def merchant_api(view):
    @csrf_exempt
    def wrapper(request, *args, **kwargs):
        merchant = _merchant(request)
        if merchant is None:
            return _error("INVALID_SIGNATURE", "商户签名无效或已过期", 401)
        try:
            return view(request, merchant, *args, **kwargs)
        except services.SimError as error:
            return _error(error.code, error.message, error.status)

    wrapper.__name__ = view.__name__
    return wrapper


def _json(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise services.SimError("INVALID_PARAMETER", "请求不是JSON") from None
    if not isinstance(data, dict):
        raise services.SimError("INVALID_PARAMETER", "请求不是JSON对象")
    return data


@merchant_api
@require_http_methods(["POST"])
def create_order(request, merchant):
    order = services.create_order(merchant, _json(request))
    return _signed({**services.snapshot(order), "pay_url": services.pay_url(order)})


@merchant_api
@require_http_methods(["GET"])
def query_order(request, merchant, out_trade_no):
    from django.db import transaction

    with transaction.atomic():
        order = services.locked(merchant, out_trade_no)
    return _signed(services.snapshot(order))


@merchant_api
@require_http_methods(["POST"])
def close_order(request, merchant, out_trade_no):
    return _signed(services.snapshot(services.close(merchant, out_trade_no)))


@merchant_api
@require_http_methods(["POST"])
def refund_order(request, merchant, out_trade_no):
    order = services.refund(merchant, out_trade_no, _json(request))
    return _signed(services.snapshot(order))


@merchant_api
@require_http_methods(["GET"])
def daily_bill(request, merchant, day):
    try:
        on = datetime.date.fromisoformat(day)
    except ValueError:
        return _error("INVALID_PARAMETER", "日期格式须为YYYY-MM-DD", 400)
    return _signed(services.bill(merchant, on), content_type="text/csv")


def public_key(request):
    return HttpResponse(keys.public_key_pem(), content_type="application/x-pem-file")


# --- the payer's page --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pay_page(request, trade_no):
    order = get_object_or_404(SimOrder, trade_no=trade_no)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                order = services.cancel_by_payer(trade_no)
            else:
                order = services.pay(trade_no)
        except services.SimError as refused:
            error = refused.message
        else:
            if order.return_url:
                return redirect(order.return_url)
    else:
        order = services.scan(trade_no)
    qr = segno.make_qr(request.build_absolute_uri(), error="m")
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="sim-qr", title="扫码支付")
    return render(
        request,
        "gatewaysim/pay.html",
        {
            "order": order,
            "yuan": f"{order.amount_fen // 100}.{order.amount_fen % 100:02d}",
            "qr_svg": mark_safe(svg),  # segno's own markup
            "error": error,
        },
    )
