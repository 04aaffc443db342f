"""Registering third-party channels (第三方渠道登记).

A channel is an OpenID Connect client of the hall's provider, registered through
``accounts.services.clients`` like a department system (authorization code, PKCE
required, RS256 ID tokens, secret shown once and stored hashed), with:

* the scopes it may ask people for — ``openid profile phone`` plus any of ``cases``
  (apply, progress, ratings), ``licences`` (the holder's e-licences, each time with the
  holder's consent on the authorisation page) and ``payments``;
* its ``ClientProfile.channel`` (默认渠道): ``mobile`` for app entries, ``kiosk`` for
  self-service terminals — the 申请渠道 its cases count under (手机办理);
* its rate limit and an active switch (a stopped channel's tokens stop working at once).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from govhall.accounts.models import ClientProfile
from govhall.accounts.services import clients
from govhall.core import context
from govhall.core.models import AuditEntry
from govhall.core.services import audit

from ..models import Channel

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
CHANNEL_SCOPES = ("openid", "profile", "phone", "cases", "licences", "payments")
DEFAULT_SCOPES = "openid profile phone cases payments"
MAX_RATE = 60_000


def _acting(by, reason: str):
    ctx = context.current()
    if by is not None and ctx.user_id is None:
        return context.acting(user_id=by.pk, label=by.get_username(), reason=reason)
    return context.acting(reason=reason)


def _clean(code: str, kind: str, scopes, rate_per_minute) -> tuple[str, str, int]:
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        errors["code"] = ["渠道代码须为2至60位小写字母、数字或连字符，以字母或数字开头。"]
    elif Channel.objects.filter(code=code).exists():
        errors["code"] = [f"渠道代码“{code}”已被使用。"]
    if kind not in Channel.Kind.values:
        errors["kind"] = ["请选择渠道类型：支付应用、社交应用、银行应用或自助终端。"]
    chosen = scopes.split() if isinstance(scopes, str) else list(scopes)
    outside = sorted(set(chosen) - set(CHANNEL_SCOPES))
    if outside:
        errors["scopes"] = [
            "第三方渠道不能申请这些授权范围："
            + "、".join(outside)
            + "（可选："
            + " ".join(CHANNEL_SCOPES)
            + "）。"
        ]
    try:
        rate = _rate(rate_per_minute)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        rate = 0
    if errors:
        raise ValidationError(errors)
    return code, " ".join(chosen), rate


def register_channel(
    *,
    name: str,
    code: str,
    kind: str,
    redirect_uris,
    scopes=DEFAULT_SCOPES,
    rate_per_minute: int = 600,
    operator: str = "",
    contact: str = "",
    post_logout_redirect_uris="",
    confidential: bool = True,
    client_id: str | None = None,
    client_secret: str | None = None,
    by=None,
) -> tuple[Channel, str]:
    """Register a channel; returns it and its client secret in clear (show it once)."""
    code, scopes, rate = _clean(code, kind, scopes, rate_per_minute)
    case_channel = Channel(kind=kind).case_channel
    with transaction.atomic(), _acting(by, "登记第三方渠道"):
        registered = clients.register_client(
            name=name,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
            scopes=scopes,
            channel=case_channel,
            contact=contact,
            confidential=confidential,
            client_id=client_id,
            client_secret=client_secret,
        )
        channel = Channel.objects.create(
            code=code,
            name=registered.application.name,
            kind=kind,
            application=registered.application,
            operator=operator[:150],
            contact=contact[:150],
            rate_per_minute=rate,
            created_by=by if getattr(by, "pk", None) else None,
        )
        audit.record(
            AuditEntry.Action.CREATE,
            instance=channel,
            after={
                "code": code,
                "name": channel.name,
                "kind": kind,
                "client_id": registered.application.client_id,
                "scopes": registered.profile.allowed_scopes,
                "case_channel": case_channel,
                "rate_per_minute": rate,
            },
        )
    return channel, registered.client_secret


def set_rate(channel: Channel, rate_per_minute, by=None) -> Channel:
    """Change a channel's rate limit (applies from its next call)."""
    return _update(
        channel, {"rate_per_minute": _rate(rate_per_minute)}, by, "调整第三方渠道调用上限"
    )


def _rate(value) -> int:
    try:
        rate = int(value)
    except (TypeError, ValueError):
        rate = 0
    if not 1 <= rate <= MAX_RATE:
        raise ValidationError({"rate_per_minute": [f"每分钟调用上限须为1至{MAX_RATE}之间的整数。"]})
    return rate


def set_active(channel: Channel, active: bool, by=None) -> Channel:
    """Stop or restart a channel: its tokens are refused (401) while it is stopped."""
    reason = "启用第三方渠道" if active else "停用第三方渠道"
    with transaction.atomic():
        channel = _update(channel, {"is_active": bool(active)}, by, reason)
        profiles = ClientProfile.objects.filter(application_id=channel.application_id)
        profiles.update(is_active=bool(active))
    return channel


def _update(channel: Channel, changes: dict, by, reason: str) -> Channel:
    with transaction.atomic(), _acting(by, reason):
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        before = {name: getattr(channel, name) for name in changes}
        if before == changes:
            return channel
        for name, value in changes.items():
            setattr(channel, name, value)
        channel.save(update_fields=list(changes))
        audit.record(
            AuditEntry.Action.UPDATE, instance=channel, before=before, after=changes, reason=reason
        )
    return channel
