"""The one way a domain service says no: a ``Refusal`` of one or more ``Problem``\\ s.

Each problem names the field (the input the person or program has to correct), a stable
``code`` for programs and a Chinese ``message`` for people. A refusal is a Django
``ValidationError`` keyed by field, so a web view shows it in its form exactly as a form's
own errors (``form.add_error(None, refusal)``, ``refusal.messages``), and the API's one
exception handler (``core.api.errors``) answers it as ``{"errors": [...]}`` with the HTTP
status its codes call for. Nothing is written when a service refuses: services refuse
before they write, or inside the transaction that the refusal rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# The request (or the object) as a whole rather than one of its fields.
NON_FIELD = "non_field_errors"
# The caller's posts or scope do not cover the object: the API answers 403, and the web
# shows a 403 page rather than a message beside a form field.
PERMISSION_DENIED = "permission_denied"


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class Refusal(ValidationError):
    """Bad input, a forbidden step or a state that does not allow the action; nothing
    was written. ``problems`` lists every problem found (a service that checks a whole
    document reports them all at once)."""

    params = None  # ValidationError's hash reads it when ``message`` exists

    def __init__(self, problems: Problem | Iterable[Problem]):
        problems = (problems,) if isinstance(problems, Problem) else tuple(problems)
        if not problems:
            raise ValueError("a refusal names at least one problem")
        self.problems = problems
        by_field: dict[str, list[ValidationError]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(
                ValidationError(problem.message, code=problem.code)
            )
        super().__init__(by_field)

    # The first (usually the only) problem, for callers that refuse one thing at a time.
    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def message(self) -> str:
        return self.problems[0].message

    @property
    def denied(self) -> bool:
        """A scope refusal: the caller may not touch the object at all."""
        return any(p.code == PERMISSION_DENIED for p in self.problems)

    def as_list(self) -> list[dict[str, str]]:
        return [p.as_dict() for p in self.problems]

    def __str__(self) -> str:
        return "；".join(p.message for p in self.problems)

    def __reduce__(self):
        return type(self), (self.problems,)


def refuse(field: str, code: str, message: str) -> Refusal:
    """One problem: ``raise refuse("reason", "required", "请填写撤回理由。")``."""
    return Refusal(Problem(field, code, message))


def deny(message: str, field: str = NON_FIELD) -> Refusal:
    """The caller's posts do not cover this object (403 in the API, a 403 page on the web)."""
    return refuse(field, PERMISSION_DENIED, message)


def problems_of(error: ValidationError) -> list[Problem]:
    """Any Django ``ValidationError`` (a refusal, a model's ``full_clean``, a form-style
    dict or list) as problems; an error without a field is ``non_field_errors``."""
    if isinstance(error, Refusal):
        return list(error.problems)
    if hasattr(error, "error_dict"):
        pairs = error.error_dict.items()
    else:
        pairs = [(NON_FIELD, error.error_list)]
    out = []
    for field, errors in pairs:
        for item in errors:
            out.append(Problem(field or NON_FIELD, item.code or "invalid", item.messages[0]))
    return out
