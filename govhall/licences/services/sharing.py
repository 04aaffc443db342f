"""One-time share links (分享): the holder lets someone see a licence once, for a while.

Only the SHA-256 of the token is stored, so the database never holds a working link;
the token is shown to the holder once, when the link is made. Opening the link uses it
up and is logged as a use of the licence (“谁用了我的证照”).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import Power
from govhall.core.errors import refuse
from govhall.core.services import audit

from ..models import Licence, LicenceShare, LicenceState, LicenceUse
from . import uses

HOURS = (1, 24, 72, 168)
PURPOSE_MAX = 200
REFUSED_MESSAGE = "链接已使用或已失效。"


def licences_of(identity) -> QuerySet[Licence]:
    """The licences the acting identity holds: their own, or the company's when acting
    for it with the power to receive licences (领取证照)."""
    if identity is None or identity.person is None:
        return Licence.objects.none()
    if identity.company is not None and not identity.can(Power.RECEIVE_LICENCES):
        return Licence.objects.none()
    return uses.holder_licences(identity)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def share_url(token: str) -> str:
    return settings.GOVHALL_PUBLIC_URL + reverse("licences:shared", args=[token])


def is_open(share: LicenceShare, now=None) -> bool:
    return share.used_at is None and share.expires_at > (now or timezone.now())


@dataclass(frozen=True)
class NewShare:
    share: LicenceShare
    token: str  # shown once; only its hash is kept

    @property
    def url(self) -> str:
        return share_url(self.token)


def _clean(hours, purpose: str) -> tuple[int, str]:
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = None
    if hours not in HOURS:
        raise refuse("hours", "choice", "“有效时长”须为1小时、24小时、72小时或7天。")
    purpose = (purpose or "").strip()
    if len(purpose) > PURPOSE_MAX:
        raise refuse("purpose", "max_length", f"“用途”不能超过{PURPOSE_MAX}个字。")
    return hours, purpose


@transaction.atomic
def create_share(licence: Licence, user, *, hours, purpose: str = "") -> NewShare:
    """A new link valid for ``hours`` (1, 24, 72 or 168); only a valid licence is shared."""
    hours, purpose = _clean(hours, purpose)
    if licence.state != LicenceState.VALID:
        raise refuse("licence", "not_valid", f"该证照{licence.get_state_display()}，不能分享。")
    token = secrets.token_urlsafe(32)
    share = LicenceShare.objects.create(
        licence=licence,
        token_hash=token_hash(token),
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
        purpose=purpose,
    )
    audit.record(
        audit.AuditEntry.Action.CREATE,
        instance=share,
        after={"licence": licence.number, "hours": hours, "purpose": purpose},
        reason="生成证照分享链接",
    )
    return NewShare(share, token)


@transaction.atomic
def open_share(token: str, request_meta: Mapping | None = None) -> Licence:
    """The shared licence, once: the link is then used up and the view logged.

    ``request_meta`` may carry the viewer (``user``) and their ``user_agent``."""
    meta = request_meta or {}
    share = (
        LicenceShare.objects.select_for_update(of=("self",))
        .select_related("licence__type", "licence__issuer", "licence__current")
        .filter(token_hash=token_hash(token))
        .first()
    )
    now = timezone.now()
    if share is None or not is_open(share, now):
        raise refuse("token", "used_or_expired", REFUSED_MESSAGE)
    share.used_at = now
    share.save(update_fields=["used_at"])
    licence = share.licence
    uses.record_use(
        licence,
        LicenceUse.Kind.SHARE,
        user=meta.get("user"),
        purpose=share.purpose or "持证人分享的链接",
    )
    audit.record(
        audit.AuditEntry.Action.OTHER,
        instance=share,
        after={"used_at": now, "user_agent": str(meta.get("user_agent", ""))[:200]},
        reason="查看证照分享链接",
    )
    return licence


@transaction.atomic
def revoke_share(share: LicenceShare, user) -> LicenceShare:
    """End a link before it is used: it expires now."""
    share = LicenceShare.objects.select_for_update().get(pk=share.pk)
    now = timezone.now()
    if not is_open(share, now):
        raise refuse("share", "not_open", "该链接已使用或已失效，无需撤销。")
    before = share.expires_at
    share.expires_at = now
    share.save(update_fields=["expires_at"])
    audit.record(
        audit.AuditEntry.Action.UPDATE,
        instance=share,
        before={"expires_at": before},
        after={"expires_at": now},
        reason="撤销证照分享链接",
    )
    return share
