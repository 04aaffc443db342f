"""Serving stored user files: the one way a view hands out an uploaded file.

A user file is served as an attachment with ``X-Content-Type-Options: nosniff`` and
``Content-Security-Policy: sandbox`` — even a file that slipped past the upload checks
cannot run script in the hall's origin. A file whose row exists but whose bytes are
gone from storage answers a Chinese 410 page (not a 500) and raises an operations
alert (log, mail to ``GOVHALL_ADMINS`` at most once an hour per file, and the
运行维护 page's alert list for a day).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.mail import mail_admins
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger("govhall.operations.media")

SANDBOX_CSP = "sandbox; default-src 'none'"
MISSING_KEY = "govhall:media-missing"
MISSING_KEEP_SECONDS = 24 * 3600
MISSING_LIST = 20


def user_file_headers(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    return response


def serve(request, field_file, *, filename: str, content_type: str) -> HttpResponse:
    """The stored file as an attachment, or the 410 page when its bytes are gone."""
    try:
        handle = field_file.open("rb")
    except (OSError, ValueError):  # FileNotFoundError, or no file associated at all
        report_missing(field_file.name or "", request)
        response = render(request, "core/file_missing.html", {"name": filename}, status=410)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=filename
    )
    return user_file_headers(response)


def report_missing(name: str, request=None) -> None:
    """Alert operations that a stored file is missing (once an hour per file by mail)."""
    path = request.path if request is not None else ""
    logger.error("stored file missing: %s (requested at %s)", name, path)
    recent = [row for row in cache.get(MISSING_KEY, []) if row["name"] != name]
    recent.insert(0, {"name": name, "at": timezone.now().isoformat(timespec="seconds")})
    cache.set(MISSING_KEY, recent[:MISSING_LIST], MISSING_KEEP_SECONDS)
    if cache.add(f"{MISSING_KEY}:mailed:{name}", 1, 3600):
        mail_admins(
            "存储中的文件缺失",
            f"文件 {name} 的记录存在但文件已不在存储中（请求 {path}）。"
            "请从备份恢复（docs/deployment.md，备份）。",
            fail_silently=True,
        )


def missing_recently() -> list[dict]:
    """Files found missing in the last day, newest first (for the operations page)."""
    return list(cache.get(MISSING_KEY, []))
