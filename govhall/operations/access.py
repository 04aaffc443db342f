"""Who may see operations: superusers and hall administrators (any active post); the
metrics endpoint also admits a bearer token or an allow-listed client address."""

from __future__ import annotations

import functools
import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from govhall.regions.models import Post


def can_operate(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.staff_posts.filter(
        post=Post.HALL_ADMIN, is_active=True, department__is_active=True
    ).exists()


def operators_only(message):
    """A view decorator for hall administrators' pages: signed in, and ``can_operate``;
    anyone else gets the staff 403 page saying ``message`` (a lazy string)."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not can_operate(request.user):
                context = {"message": str(message)}
                return render(request, "workbench/forbidden.html", context, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def metrics_allowed(request) -> bool:
    token = settings.GOVHALL_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None:
        for cidr in settings.GOVHALL_METRICS_ALLOW:
            if ip in ipaddress.ip_network(cidr, strict=False):
                return True
    return can_operate(getattr(request, "user", None))
