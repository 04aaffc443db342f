"""Who calls the exchange API: a registered exchange client with an OAuth2 bearer token.

The token comes from ``POST /o/token/`` with ``grant_type=client_credentials`` and
``scope=exchange`` (client id and secret as HTTP Basic or in the form). A token carries no
user, only the application; the application's ``ExchangeClient`` is the caller. Each
client has its own rate limit (``rate_per_minute``), counted per client code.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from govhall.core.api.auth import BearerAuthentication
from govhall.operations.throttling import SharedRateThrottle

from ..models import ExchangeClient
from ..services.clients import SCOPE

TOKEN_REQUIRED = (
    "缺少或无效的访问令牌：请先以客户端凭证（grant_type=client_credentials，"
    "scope=exchange）在 /o/token/ 获取令牌，再以请求头 Authorization: Bearer <令牌> 调用。"
)


class ExchangeTokenAuthentication(BearerAuthentication):
    """The API's bearer-token check (header only); a client-credentials token has no user,
    so the request's user is anonymous and the token (``request.auth``) says who calls."""

    www_authenticate_realm = "exchange"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        return (user or AnonymousUser()), token


class ExchangeTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description of the exchange's bearer tokens."""

    target_class = "govhall.exchange.api.auth.ExchangeTokenAuthentication"
    name = "exchangeClientCredentials"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "数据交换客户端以客户端凭证获取令牌（授权范围exchange）",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {SCOPE: "报送办件过程信息、查看数据质量反馈"},
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        return {self.name: [SCOPE]}


def client_of(request) -> ExchangeClient | None:
    token = getattr(request, "auth", None)
    application_id = getattr(token, "application_id", None)
    if application_id is None:
        return None
    return ExchangeClient.objects.filter(application_id=application_id).first()


class IsExchangeClient(BasePermission):
    """A valid token with the ``exchange`` scope, of an active exchange client (the client
    is kept on the view as ``exchange_client``)."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None:
            return False  # → 401 with the Bearer challenge
        client = client_of(request)
        view.exchange_client = client
        if client is None:
            raise exceptions.PermissionDenied(
                "该访问令牌不属于已登记的数据交换客户端。", code="not_exchange_client"
            )
        if not token.allow_scopes([SCOPE]):
            raise exceptions.PermissionDenied(
                "访问令牌缺少“exchange”授权范围，请以 scope=exchange 重新申请令牌。",
                code="scope_missing",
            )
        if not client.is_active:
            raise exceptions.PermissionDenied(
                f"数据交换客户端“{client.code}”已停用，请联系登记它的大厅管理员。",
                code="client_inactive",
            )
        return True


class ClientRateThrottle(SharedRateThrottle):
    """``rate_per_minute`` calls a minute per client, whatever its addresses.

    Counted in the default cache: in production a shared cache (all web processes) makes
    the limit exact; with the local-memory default each process counts on its own.
    """

    scope = "exchange_client"

    def __init__(self):  # the rate is the client's, known only per request
        self.rate = None

    def allow_request(self, request, view):
        client = getattr(view, "exchange_client", None)
        if client is None:
            return True
        self.limit = client.rate_per_minute
        self.rate = f"{client.rate_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = view.exchange_client
        return self.cache_format % {"scope": self.scope, "ident": client.code}
