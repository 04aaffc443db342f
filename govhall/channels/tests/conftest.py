"""Channel tests: an empty cache (rate counters), channels and their tokens."""

import datetime
import secrets

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from govhall.channels.models import Channel
from govhall.channels.services import registry


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def channel(code="pay-city", kind=Channel.Kind.PAYMENT_APP, **kwargs) -> Channel:
    values = {
        "name": {"pay-city": "某支付应用城市服务"}.get(code, f"渠道{code}"),
        "redirect_uris": [f"https://{code}.example/callback"],
    }
    values.update(kwargs)
    created, _ = registry.register_channel(code=code, kind=kind, **values)
    return created


def token_header(user, chan: Channel, scope="openid profile cases payments") -> dict:
    """An access token of ``chan`` for ``user`` (as the token endpoint would issue it)."""
    token = get_access_token_model().objects.create(
        user=user,
        application=chan.application,
        scope=scope,
        expires=timezone.now() + datetime.timedelta(hours=1),
        token=secrets.token_urlsafe(24),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token.token}"}
