"""Bearer-token authentication that also names the token's user in the audit log.

Middleware records the session's user as the actor of a request, but DRF authenticates
a bearer token only when the view runs, after the middleware has looked: without this,
writes made with a token (the mobile app, partner systems) would be audited as "system".
"""

from __future__ import annotations

from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from oauth2_provider.contrib.rest_framework import OAuth2Authentication

from govhall.core import context


class BearerAuthentication(OAuth2Authentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[0] is not None:
            context.act_for_request(result[0])
        return result


class BearerScheme(DjangoOAuthToolkitScheme):
    """Described in OpenAPI as the OAuth 2 tokens it is."""

    target_class = "govhall.core.api.auth.BearerAuthentication"
