"""The hall's public address, for links that leave the page: licence QR codes, share links.

In production it is ``GOVHALL_PUBLIC_URL`` (set it: behind a proxy the request's host is
not necessarily what citizens type). In development with no setting, a page uses the
address it was requested at, so ``runserver 0.0.0.0:9000`` or ``make run PORT=8765``
print codes a phone on the same network can open.
"""

from __future__ import annotations

from django.conf import settings


def public_url(request=None) -> str:
    if request is not None and settings.DEBUG and not settings.GOVHALL_PUBLIC_URL_SET:
        return f"{request.scheme}://{request.get_host()}"
    return settings.GOVHALL_PUBLIC_URL
