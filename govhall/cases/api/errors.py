"""Service refusals in the API's error shape, with a status that says what went wrong.

The case services raise Django ``ValidationError`` dicts (field → Chinese message, code).
The API turns them into ``{"errors": [...]}``: 409 when the case's state forbids the
action, 403 when the caller's post may not do it, 400 for bad input — never a 500.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.views import APIView

from govhall.core.api.errors import NON_FIELD, error, error_response

NOT_FOUND = "not_found"

# Codes every case endpoint maps the same way; views add their own.
BASE_STATUS = {"transition_not_allowed": 409, "not_draft": 409}


class CaseNotFound(Exception):
    """Raised by views for anything missing or out of the caller's reach (never a 403)."""

    def __init__(self, message: str = "办件不存在，或不在您的办理范围内。", field: str = NON_FIELD):
        super().__init__(message)
        self.message, self.field = message, field


def service_errors(exc: DjangoValidationError, prefixes: dict[str, str] | None = None) -> list:
    """Flatten a service ``ValidationError``; ``prefixes`` renames field paths (``form.`` →
    ``answers.``) so a field names the request key the caller sent."""
    prefixes = prefixes or {}
    pairs = exc.error_dict.items() if hasattr(exc, "error_dict") else [(NON_FIELD, exc.error_list)]
    out = []
    for field, errors in pairs:
        name = field or NON_FIELD
        for old, new in prefixes.items():
            if name.startswith(old):
                name = new + name[len(old) :]
        for item in errors:
            out.append(error(name, item.code or "invalid", item.messages[0]))
    return out


def status_for(errors: list[dict], table: dict[str, int]) -> int:
    codes = [table.get(e["code"]) for e in errors]
    return max((c for c in codes if c), default=400)


class ServiceErrorsMixin:
    """For any DRF view: service refusals and "not found" in the error shape."""

    status_by_code: dict[str, int] = BASE_STATUS
    field_prefixes: dict[str, str] = {}

    def handle_exception(self, exc):
        if isinstance(exc, CaseNotFound):
            return error_response([error(exc.field, NOT_FOUND, exc.message)], 404)
        if isinstance(exc, DjangoValidationError):
            errors = service_errors(exc, self.field_prefixes)
            return error_response(errors, status_for(errors, self.status_by_code))
        return super().handle_exception(exc)


class CaseAPIView(ServiceErrorsMixin, APIView):
    """Base of the case endpoints that are not plain lists."""
