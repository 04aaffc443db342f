"""Content-Security-Policy on every response, with a fresh nonce per request.

Every script and stylesheet is a vendored static file; the few ``<style>`` blocks a
template still carries (print layouts, small page styles, the API docs pages) carry
``nonce="{{ request.csp_nonce }}"``. No template has inline ``<script>``, ``style=""``
or ``on…=`` handlers (a test walks the templates), so the policy allows no
``'unsafe-inline'`` and no ``'unsafe-eval'``. A response that sets its own policy (a
user file under ``sandbox``, ``core.files``) keeps it.

The API documentation pages (Swagger UI, Redoc) inject styles at run time and are
served with ``style-src 'unsafe-inline'`` (``allow_inline_styles``); scripts stay
nonce-only there too. ``GOVHALL_CSP_REPORT_URI`` (optional) adds ``report-uri``.
"""

from __future__ import annotations

import functools
import secrets

from django.conf import settings

HEADER = "Content-Security-Policy"


def policy(nonce: str, *, inline_styles: bool = False) -> str:
    # 'unsafe-inline' is ignored by browsers when a nonce is present, so the relaxed
    # style policy leaves the nonce out.
    styles = (
        "style-src 'self' 'unsafe-inline'"
        if inline_styles
        else (f"style-src 'self' 'nonce-{nonce}'")
    )
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        styles,
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
    report = getattr(settings, "GOVHALL_CSP_REPORT_URI", "")
    if report:
        directives.append(f"report-uri {report}")
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if HEADER not in response:
            inline_styles = getattr(response, "csp_inline_styles", False)
            response[HEADER] = policy(request.csp_nonce, inline_styles=inline_styles)
        return response


def allow_inline_styles(view):
    """For the API documentation pages only: Swagger UI and Redoc inject ``<style>``
    elements at run time. Scripts stay nonce-only."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.csp_inline_styles = True
        return response

    return wrapped
