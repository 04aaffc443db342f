"""Errors of the catalogue services: each problem names the field, a stable code and the rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class CatalogError(Exception):
    """Bad input or a forbidden transition; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("；".join(p.message for p in self.problems))

    def as_list(self) -> list[dict[str, str]]:
        return [p.as_dict() for p in self.problems]


class ScopeDenied(PermissionDenied):
    """The user's posts do not cover this item (message in Chinese, for the UI)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
