"""HTTP between the platform and a gateway, both ways.

An absolute ``http(s)://`` address is reached over the network (``urllib``, with a
timeout); a bare path (``/gateway-sim/…``, ``/api/v1/payments/notify/sim``) is served
by this same Django process through its full request cycle (middleware, URL routing,
views), which is how the tests and a single-process development server run the bundled
gateway without a second port. Either way the bytes, headers and signatures are the same.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

TIMEOUT_SECONDS = 10


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]


class TransportError(Exception):
    """The other side could not be reached or timed out."""


def request(method: str, url: str, body: bytes = b"", headers: dict | None = None) -> Reply:
    headers = {"Content-Type": "application/json", **(headers or {})}
    if url.startswith(("http://", "https://")):
        return _network(method, url, body, headers)
    return _in_process(method, url, body, headers)


def _network(method, url, body, headers) -> Reply:
    req = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as response:
            return Reply(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read(), dict(error.headers.items()))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise TransportError(str(error)) from error


def _in_process(method, path, body, headers) -> Reply:
    from django.test import Client  # the request cycle without a socket

    client = Client(raise_request_exception=False, enforce_csrf_checks=True, HTTP_HOST=_host())
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    content_type = extra.pop("HTTP_CONTENT_TYPE", "application/json")
    if method.upper() == "GET":
        response = client.get(path, **extra)
    else:
        response = client.generic(method.upper(), path, body, content_type=content_type, **extra)
    return Reply(response.status_code, response.content, dict(response.headers.items()))


def _host() -> str:
    """A host name this installation answers to (the request cycle checks ALLOWED_HOSTS)."""
    from django.conf import settings

    allowed = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")]
    return allowed[0] if allowed else "testserver"
