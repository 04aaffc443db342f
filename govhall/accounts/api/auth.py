"""Who an API call acts as: the acting identity (a person, or a company they act for) and
the staff gate. Every app's API uses these (core cannot: it sits below accounts).

Sessions carry the acting identity chosen on the site (``request.identity``). A bearer
token speaks for its user's person, and for the company chosen when it was authorised —
re-checked against the grants on every call, like the session's choice.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from govhall.regions.services.scope import scope_of

from ..models import Channel, ClientProfile, Person
from ..services import acting, companies
from ..services.acting import Identity

STAFF_TOKEN_SCOPE = "staff"


# Registered channels whose cases count under their own 申请渠道 (mobile: 手机办理).
CLIENT_CHANNELS = (Channel.MOBILE, Channel.KIOSK)


def _token_client(identity: Identity, token) -> None:
    """The token's client goes with the identity, so what it brings records it."""
    application_id = getattr(token, "application_id", None)
    if application_id is None:
        return
    identity.client = token.application
    # Read with the token's check (GovhallValidator.validate_bearer_token).
    channel = getattr(token, "govhall_client_channel", None)
    if channel is None:
        channel = (
            ClientProfile.objects.filter(application_id=application_id)
            .values_list("channel", flat=True)
            .first()
        )
    identity.client_channel = channel if channel in CLIENT_CHANNELS else ""


def _token_identity(request) -> Identity:
    user = request.user
    person = Person.objects.filter(user=user).first()
    identity = Identity(user=user, person=person)
    _token_client(identity, request.auth)
    context = getattr(request.auth, "govhall_context", None)
    company_id = getattr(context, "company_id", None)
    if company_id is None:
        return identity
    option = companies.acting_option(person, company_id)
    if option is None:
        raise exceptions.PermissionDenied(
            "该令牌代办法人的授权已撤销或过期，请重新授权。", code="grant_revoked"
        )
    identity.company, identity.role, identity.powers = option.company, option.role, option.powers
    return identity


def identity_of(request) -> Identity:
    """The acting identity of a DRF request (cached on it)."""
    cached = getattr(request, "_govhall_identity", None)
    if cached is not None:
        return cached
    if request.auth is not None:
        identity = _token_identity(request)
    else:
        identity = getattr(request._request, "identity", None) or acting.identity_of(
            request._request
        )
    request._govhall_identity = identity
    return identity


class IsStaffMember(BasePermission):
    """A signed-in staff member; a bearer token must also carry the ``staff`` scope.

    Each staff API names itself in the refusal (``staff_only("数据监测")``), so a citizen's
    token is told which interface it may not use."""

    api_name = ""
    code = "staff_only"
    token_scopes = (STAFF_TOKEN_SCOPE,)

    @property
    def message(self) -> str:
        api = f"{self.api_name}接口" if self.api_name else "该接口"
        return f"只有工作人员可以使用{api}（令牌须含staff授权范围）。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        token = request.auth
        if token is not None and not token.allow_scopes([STAFF_TOKEN_SCOPE]):
            return False
        return scope_of(user).is_staff_member


def staff_only(api_name: str) -> type[IsStaffMember]:
    """The staff gate of one API: ``permission_classes = [staff_only("办件办理")]``."""
    return type("IsStaffMember", (IsStaffMember,), {"api_name": api_name})
