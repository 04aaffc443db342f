"""What a channel's token may call: the documented channel API (docs/channels.md), each
personal part behind the scope the person granted at sign-in.

A token of a registered channel is refused (403 ``channel_scope``) on any other path —
staff, exchange, the person's space — and on a personal path without its scope: a
channel the person let see their cases does not see their licences, and no channel sees
a licence unless the holder ticked 电子证照 on the consent page.
"""

from __future__ import annotations

import hashlib
import re

from oauth2_provider.models import get_access_token_model

from govhall.core.api.auth import bearer_token

API = "/api/v1/"

# (path under /api/v1/, scope it needs; "" = none beyond the token), first match wins.
CHANNEL_PATHS: tuple[tuple[str, str], ...] = (
    # public: search, guides, reference data, verification, the public progress query
    ("items/", ""),
    ("themes/", ""),
    ("bundles/", ""),
    ("scenarios/", ""),
    ("regions/", ""),
    ("departments/", ""),
    ("halls/", ""),
    ("calendar/", ""),
    ("identifiers/", ""),
    ("licence-types/", ""),
    ("licences/verify", ""),
    ("licences/issuers", ""),
    ("licences/revocations", ""),
    ("assistant/ask", ""),
    ("me", ""),
    # the person's own business
    ("applications/", "cases"),
    ("my/materials/", "cases"),
    ("my/cases/", "cases"),
    ("ratings", "cases"),
    ("my/licences/", "licences"),
    ("my/payment-orders/", "payments"),
)
PUBLIC_PROGRESS_SUFFIX = "/progress"  # cases/<number>/progress
FEE_PART = re.compile(r"^my/cases/[^/]+/fee(/|$)")


def scope_needed(path: str) -> str | None:
    """The scope ``path`` needs from a channel's token; None when channels may not call it."""
    if not path.startswith(API):
        return ""  # pages and the provider's endpoints are not the API
    rest = path[len(API) :]
    if rest.startswith("cases/") and rest.endswith(PUBLIC_PROGRESS_SUFFIX):
        return ""
    if rest.startswith("my/cases/") and FEE_PART.search(rest):
        return "payments"  # a case's fee, orders, notice and receipt
    for prefix, scope in CHANNEL_PATHS:
        bare = prefix.rstrip("/")
        if rest == bare or rest.startswith(bare + "/"):
            return scope
    return None


def token_row(request) -> dict | None:
    """The bearer token's client and scopes (one indexed lookup by its checksum), valid
    or not: an expired token's calls still count against its channel."""
    token = bearer_token(request)
    if token is None:
        return None
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    return (
        get_access_token_model()
        .objects.filter(token_checksum=checksum)
        .values("application_id", "scope", "user_id")
        .first()
    )


def can_view_usage(user) -> bool:
    """Hall administrators (any region: channels serve the whole province) and superusers."""
    from govhall.regions.models import Post
    from govhall.regions.services.scope import scope_of

    scope = scope_of(user)
    return scope.is_superuser or any(held.post == Post.HALL_ADMIN for held in scope.posts)
