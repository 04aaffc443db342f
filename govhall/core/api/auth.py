"""How API callers authenticate: an OAuth 2 bearer token in the ``Authorization`` header, or
the hall's session.

Tokens are read from the header only (RFC 6750 §2.1, as RFC 9700 advises): a token in a
query string ends up in server and proxy logs, and one in a form body can be planted by
another site. The token's user is named in the audit log: middleware records the
session's user as the actor of a request, but DRF authenticates a bearer token only when
the view runs, after the middleware has looked; without this, writes made with a token
(the mobile app, partner systems) would be audited as "system".
"""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.settings import oauth2_settings
from rest_framework.authentication import SessionAuthentication

from govhall.core import context

# RFC 6750 b64token: a bearer token is visible ASCII, so nothing else is looked up.
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
        return None
    return token


class BearerAuthentication(OAuth2Authentication):
    """The toolkit's token check, for header tokens only; names the token's user as the
    actor of the request."""

    def authenticate(self, request):
        if bearer_token(request) is None:
            return None  # no token, or one sent elsewhere than the header: not looked up
        # The toolkit is handed Django's request, not DRF's: it would read the form body
        # (DRF's ``request.POST``) for a token there, parsing the body before the caller
        # is known.
        result = super().authenticate(request._request)
        if result is not None and result[0] is not None:
            context.act_for_request(result[0])
        return result


# Bearer first, so an unauthenticated call gets 401 with ``WWW-Authenticate: Bearer``.
AUTHENTICATION = [BearerAuthentication, SessionAuthentication]

# Scopes a person grants a client at sign-in (client-credentials scopes are not among them).
_NOT_USER_SCOPES = {"exchange"}


class BearerScheme(OpenApiAuthenticationExtension):
    """In OpenAPI: the hall's OpenID Connect access tokens, with the scopes each operation
    needs (permissions declare them as ``token_scopes``, e.g. ``staff``)."""

    target_class = "govhall.core.api.auth.BearerAuthentication"
    name = "oidcBearer"
    priority = 1  # before drf-spectacular's generic toolkit scheme

    def get_security_definition(self, auto_schema):
        scopes = {
            name: str(label)
            for name, label in oauth2_settings.SCOPES.items()
            if name not in _NOT_USER_SCOPES
        }
        return {
            "type": "oauth2",
            "description": (
                "本大厅统一身份认证（OpenID Connect，授权码模式+PKCE）签发的访问令牌，"
                "以请求头 Authorization: Bearer <令牌> 发送（不接受查询参数或表单中的令牌）。"
                "工作人员接口需要 staff 授权范围。"
            ),
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/o/authorize/",
                    "tokenUrl": "/o/token/",
                    "refreshUrl": "/o/token/",
                    "scopes": scopes,
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        scopes: list[str] = []
        for permission in auto_schema.view.get_permissions():
            scopes += [s for s in getattr(permission, "token_scopes", ()) if s not in scopes]
        return {self.name: scopes}
