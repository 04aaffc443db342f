"""The API's one exception handler: every error in the shape ``{"errors": [{field, code,
message}]}``, with the HTTP status that says what went wrong.

Domain services refuse with ``core.errors.Refusal`` (a Django ``ValidationError``); views
raise ``NotFound`` for anything missing or outside the caller's reach; DRF raises its own
exceptions for authentication, parsing, throttling and serializer validation. This module
turns all of them into the one shape, so no view translates errors itself. The status of
a refusal comes from its codes (``STATUS_BY_CODE``); an unlisted code is bad input (400).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ..errors import NON_FIELD, PERMISSION_DENIED, Problem, problems_of

# A refusal's status by its code. Conflict (409): the object's state does not allow the
# action now. Forbidden (403): the caller's post, power or scope does not cover it.
STATUS_BY_CODE: dict[str, int] = {
    # 409 — the state forbids the action
    "transition_not_allowed": 409,  # a case action its state does not allow
    "not_draft": 409,  # a draft already submitted
    "material_conflict": 409,  # the same material attached by a concurrent request
    "already_rated": 409,  # a case rated once already
    "already_delivered": 409,  # a result delivered already
    "revoked": 409,  # a licence already revoked
    "not_valid": 409,  # a licence not valid (revoked or expired) cannot change or be shared
    "legacy_format": 409,  # a licence version signed before holder commitments: no bundle
    "idempotency_conflict": 409,  # an Idempotency-Key reused for a different request
    "licence_held": 409,  # applying again for a result licence held and valid
    "already_disputed": 409,  # a data read the person disputed once already
    "already_resolved": 409,  # a base-library conflict decided already
    "subject_gone": 409,  # a base-library conflict whose entry no longer exists
    # 403 — the caller may not do it
    PERMISSION_DENIED: 403,  # outside the catalogue editor's or reviewer's scope
    "not_your_task": 403,  # the current step belongs to another post
    "approver_required": 403,  # extending a time limit takes an approver
    "not_your_case": 403,  # an action on a case the caller does not handle
    "no_power": 403,  # an agent without the company's power for this
    "not_your_department": 403,  # a licence another department issued
    "out_of_scope": 403,  # statistics of a department or region outside the caller's posts
    "conflict_of_interest": 403,  # a case in which the staff member is a party (recusal)
    "self_grant": 403,  # a post granted to oneself
    "second_admin_required": 403,  # an admin post confirmed by its grantor or holder
    # 404 — the object named does not exist (or is not the caller's to see)
    "unknown_conversation": 404,  # an assistant conversation id never issued
    "unknown_consultation": 404,  # an online consultation id, or its token does not match
    # payments (docs/payments.md)
    "already_assessed": 409,  # a case's fee assessed once already
    "not_due": 409,  # paying a fee already paid or waived
    "not_pending": 409,  # cancelling an order no longer pending
    "not_paid": 409,  # refunding an order (or a receipt of a fee) not paid
    "fee_unpaid": 409,  # concluding a case whose fee is due
    "fee_not_assessed": 409,  # concluding a case whose fee was never assessed
    "refund_refused": 409,  # the gateway refused the refund
    "gateway_unreachable": 503,  # the payment gateway did not answer
    "unknown_conflict": 404,  # a base-library conflict not of the caller's departments
    "unknown_theme": 404,  # a thematic library (主题库) code that is not defined
    # data sharing (共享调用): a read outside the caller's approval, or for a case it does
    # not handle — 403; the resource or the case named does not exist — 404
    "sharing_no_department": 403,
    "sharing_not_shared": 403,
    "sharing_unknown_field": 403,
    "sharing_no_purpose": 403,
    "sharing_no_approval": 403,
    "sharing_revoked": 403,
    "sharing_expired": 403,
    "sharing_purpose": 403,
    "sharing_fields": 403,
    "case_not_handled": 403,
    "case_subject": 403,
    "unknown_resource": 404,
    "unknown_case": 404,
}
# Two codes whose meaning depends on the field, answered as they always were:
STATUS_BY_FIELD_AND_CODE: dict[tuple[str, str], int] = {
    ("case", "not_found"): 403,  # the applicant may read the case but not act on it
    ("state", "transition_not_allowed"): 400,  # a catalogue version's workflow step
}

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

# Django refuses these while reading a request body or query string, before any view.
_BAD_REQUESTS: list[tuple[type[Exception], str, str]] = [
    (TooManyFieldsSent, "too_many_fields", "请求的字段过多（最多{fields}个）。"),
    (TooManyFilesSent, "too_many_files", "请求上传的文件过多（最多{files}个）。"),
    (RequestDataTooBig, "too_large", "请求体过大（表单和JSON最多{size}字节），请分批提交。"),
    (MultiPartParserError, "parse_error", "请求体不是有效的multipart/form-data。"),
    (UnreadablePostError, "parse_error", "请求体未能完整读取。"),
    (SuspiciousOperation, "bad_request", "请求无效。"),
    (BadRequest, "bad_request", "请求无效。"),
]


class NotFound(exceptions.NotFound):
    """Missing, or outside the caller's reach: the two answer alike (404), so an
    identifier reveals nothing. ``field`` names the path parameter or input."""

    def __init__(self, message: str = "请求的资源不存在。", field: str = NON_FIELD):
        super().__init__(message, code="not_found")
        self.field = field


def error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def error_response(errors: list[dict[str, str]], status_code: int = 400) -> Response:
    return Response({"errors": errors}, status=status_code)


def status_of(problems: list[Problem]) -> int:
    """The most serious status any of the problems calls for (400 when none is listed)."""
    found = [
        STATUS_BY_FIELD_AND_CODE.get((p.field, p.code)) or STATUS_BY_CODE.get(p.code, 400)
        for p in problems
    ]
    return max(found, default=400)


def bad_request_error(exc: Exception) -> dict[str, str] | None:
    """The error for a body or query string Django refused to read, or None."""
    for kind, code, message in _BAD_REQUESTS:
        if isinstance(exc, kind):
            return error(
                NON_FIELD,
                code,
                message.format(
                    fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                    files=settings.DATA_UPLOAD_MAX_NUMBER_FILES,
                    size=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                ),
            )
    return None


def _renamed(problems: list[Problem], prefixes: dict[str, str]) -> list[Problem]:
    """Field paths as the caller sent them (``form.x`` in the service is ``answers.x``)."""
    out = []
    for p in problems:
        field = p.field
        for old, new in prefixes.items():
            if field.startswith(old):
                field = new + field[len(old) :]
        out.append(Problem(field, p.code, p.message))
    return out


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
    """DRF's ``EXCEPTION_HANDLER``: every exception a view raises, in the one shape."""
    if isinstance(exc, DjangoValidationError):
        view = context.get("view")
        problems = _renamed(problems_of(exc), getattr(view, "error_field_prefixes", {}))
        set_rollback()
        return error_response([p.as_dict() for p in problems], status_of(problems))
    refused = bad_request_error(exc)
    if refused is not None:
        set_rollback()
        return error_response([refused], status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    elif isinstance(exc, NotFound):
        errors = [error(exc.field, "not_found", str(exc.detail))]
    else:
        code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = code if isinstance(code, str) else "error"
        message = _DEFAULT_MESSAGES.get(code, str(getattr(exc, "detail", "")))
        if code == "throttled" and getattr(exc, "wait", None):
            message = f"请求过于频繁，请{int(exc.wait) + 1}秒后再试。"
        errors = [error(NON_FIELD, code, message)]
    response.data = {"errors": errors}
    return response


def json_error(errors: list[dict[str, str]], status_code: int) -> JsonResponse:
    """The error shape outside DRF (middleware, Django's error handlers)."""
    return JsonResponse(
        {"errors": errors}, status=status_code, json_dumps_params={"ensure_ascii": False}
    )


@csrf_exempt
def json_404(request, exception=None):
    """Plain-Django 404 for paths under /api/ so callers always get the JSON shape."""
    return json_error([error(NON_FIELD, "not_found", _DEFAULT_MESSAGES["not_found"])], 404)


def json_500(request):
    return json_error([error(NON_FIELD, "server_error", "服务器内部错误，请稍后再试。")], 500)


def json_400(request, exception=None):
    refused = bad_request_error(exception) if exception is not None else None
    return json_error([refused or error(NON_FIELD, "bad_request", "请求无效。")], 400)


def json_403(request, exception=None):
    return json_error(
        [error(NON_FIELD, "permission_denied", _DEFAULT_MESSAGES["permission_denied"])], 403
    )


API_PREFIX = "/api/"


def under_api(page, api):
    """One of Django's error handlers: ``api`` (the JSON shape) under ``/api/``, ``page``
    elsewhere — so a 400, 403, 404 or 500 Django answers itself is JSON for API callers."""

    def handler(request, *args, **kwargs):
        view = api if request.path_info.startswith(API_PREFIX) else page
        return view(request, *args, **kwargs)

    handler.__name__ = getattr(page, "__name__", "handler")
    return handler
