"""Errors in the one JSON shape of API.md: ``{"errors": [{field, code, message}]}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"

_DEFAULT_MESSAGES = {
    "not_found": "请求的资源不存在。",
    "permission_denied": "您没有执行该操作的权限。",
    "not_authenticated": "请先登录。",
    "authentication_failed": "身份认证失败。",
    "method_not_allowed": "不支持该请求方法。",
    "throttled": "请求过于频繁，请稍后再试。",
    "parse_error": "请求体不是有效的JSON。",
    "unsupported_media_type": "不支持的请求内容类型。",
    "not_acceptable": "无法按请求的格式返回。",
}


def error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def error_response(errors: list[dict[str, str]], status_code: int = 400) -> Response:
    return Response({"errors": errors}, status=status_code)


def _flatten(detail, field: str = NON_FIELD) -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = key if field == NON_FIELD else f"{field}.{key}"
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and not isinstance(value, exceptions.ErrorDetail):
                out.extend(_flatten(value, f"{field}[{index}]"))
            else:
                out.extend(_flatten(value, field))
        return out
    code = getattr(detail, "code", "invalid") or "invalid"
    return [error(field, str(code), str(detail))]


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = code if isinstance(code, str) else "error"
        message = _DEFAULT_MESSAGES.get(code, str(getattr(exc, "detail", "")))
        if code == "throttled" and getattr(exc, "wait", None):
            message = f"请求过于频繁，请{int(exc.wait) + 1}秒后再试。"
        errors = [error(NON_FIELD, code, message)]
    response.data = {"errors": errors}
    return response


def json_404(request, exception=None):
    """Plain-Django 404 for paths under /api/ so callers always get the JSON shape."""
    return JsonResponse(
        {"errors": [error(NON_FIELD, "not_found", _DEFAULT_MESSAGES["not_found"])]},
        status=status.HTTP_404_NOT_FOUND,
        json_dumps_params={"ensure_ascii": False},
    )
