"""Request-level operations: the client address, request metrics and the request log."""

from __future__ import annotations

import logging
import time

from . import client, metrics

request_log = logging.getLogger("govhall.request")


class ClientAddressMiddleware:
    """Replace ``REMOTE_ADDR`` by the configured client address (``client.resolve``) before
    anything reads it — DRF throttles, the login lockout, the audit log, the logs — and
    keep the TCP peer in ``META["GOVHALL_PEER_ADDR"]``. First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        request.META[client.PEER_META] = peer
        request.META["REMOTE_ADDR"] = client.resolve(peer, request.META.get("HTTP_X_FORWARDED_FOR"))
        return self.get_response(request)


def route_of(request) -> str:
    """The URL pattern that answered (``api/v1/cases/<str:number>/``): few distinct values,
    and no case number, ID number or query string in metric labels or logs."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return "/" + match.route


class RequestMetricsMiddleware:
    """Count and time every request by route, and log one line for it (JSON in
    production): request id, user id — never a name or ID number — route, status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = None
        try:
            response = self.get_response(request)
            return response
        finally:
            seconds = time.perf_counter() - started
            status = response.status_code if response is not None else 500
            route = route_of(request)
            cpu = time.thread_time() - cpu_started
            metrics.observe_request(request.method, route, status, seconds, cpu)
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            if user_id is None:
                from govhall.core import context

                user_id = context.current().user_id
            level = logging.ERROR if status >= 500 else logging.INFO
            request_log.log(
                level,
                "%s %s %s %.1fms",
                request.method,
                route,
                status,
                seconds * 1000,
                extra={
                    "route": route,
                    "method": request.method,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": user_id,
                    "client": request.META.get("REMOTE_ADDR"),
                },
            )
