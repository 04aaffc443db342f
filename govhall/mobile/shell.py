"""The installable phone app shell: the web app manifest and the service worker, both at
the site root so the worker's scope is the whole hall, and the page shown offline."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

SW_FILE = Path(__file__).parent / "static" / "mobile" / "sw.js"
START_URL = "/my/space/?source=app"


def manifest_data() -> dict:
    return {
        "name": settings.GOVHALL_SITE_NAME,
        "short_name": "办事大厅",
        "description": "查、缴、办：办事指南、在线申请、办件进度、电子证照亮证。",
        "lang": "zh-CN",
        "id": "/",
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b3001b",
        "icons": [
            {"src": static("mobile/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("mobile/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("mobile/icon-512-maskable.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": "我的办件", "url": "/my/cases/"},
            {"name": "我的证照", "url": "/my/licences/"},
            {"name": "进度查询", "url": "/progress/"},
        ],
    }


@require_safe
@cache_control(public=True, max_age=3600)
def manifest(request):
    body = json.dumps(manifest_data(), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")


@lru_cache(maxsize=1)
def _worker() -> bytes:
    return SW_FILE.read_bytes()


@require_safe
@cache_control(no_cache=True)
def service_worker(request):
    """The worker from its static file, served at /sw.js: a worker controls only the
    paths under its own address, and /static/ would leave the pages out of its scope."""
    response = HttpResponse(_worker(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request):
    return render(request, "mobile/offline.html")
