"""Helpers shared by the identity pages."""

from __future__ import annotations

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from govhall.regions.models import Hall

from ..services import login as login_service


def safe_next(request, default: str = "accounts:home") -> str:
    """The ``next`` target when it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def hall_context(request) -> Hall | None:
    return login_service.hall_of(request)
