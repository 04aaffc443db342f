"""Login throttling and lockout, counted in the database so every web process agrees.

Two counters: per account (``user:<pk>``; an identifier that matches no account gets its
own keyed-hash counter so the answers never reveal whether an account exists) and per
address (``ip:<addr>``, a wider limit against guessing across many accounts). Failures
inside ``window_minutes`` add up; reaching the limit locks for ``lock_minutes`` — even
the right password is refused until then. A successful sign-in clears the account's
counter. Limits come from ``settings.GOVHALL_LOGIN_LOCKOUT``.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govhall.core.services import audit

from .. import crypto
from ..audit import record_account
from ..models import LoginThrottle


@dataclass(frozen=True)
class Lock:
    key: str
    until: datetime.datetime

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    @property
    def message(self) -> str:
        local = timezone.localtime(self.until)
        if self.key.startswith("ip:"):
            return _(
                "本机登录失败次数过多，已暂停登录，请于%(local)s后（约%(minutes_left)s分钟）再试。"
            ) % {"local": format(local, "%H:%M"), "minutes_left": self.minutes_left}
        return _(
            "连续输错密码次数过多，账号已锁定，请于%(local)s后（约%(minutes_left)s分钟）"
            "再试，或通过手机验证码重置密码。"
        ) % {"local": format(local, "%H:%M"), "minutes_left": self.minutes_left}


def _limits() -> dict:
    return settings.GOVHALL_LOGIN_LOCKOUT


def account_key(user=None, identifier: str = "") -> str:
    if user is not None:
        return f"user:{user.pk}"
    return "id:" + crypto.blind_index("login", identifier.strip().upper())[:40]


def address_key(remote_addr: str | None) -> str | None:
    return f"ip:{remote_addr}" if remote_addr else None


def _active_lock(key: str | None, now: datetime.datetime) -> Lock | None:
    if key is None:
        return None
    row = LoginThrottle.objects.filter(key=key, locked_until__gt=now).first()
    return Lock(key, row.locked_until) if row else None


def current_lock(user=None, identifier: str = "", remote_addr: str | None = None) -> Lock | None:
    now = timezone.now()
    return _active_lock(account_key(user, identifier), now) or _active_lock(
        address_key(remote_addr), now
    )


def _count(key: str, limit: int, now: datetime.datetime) -> LoginThrottle:
    limits = _limits()
    window = datetime.timedelta(minutes=limits["window_minutes"])
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
    if row.locked_until and row.locked_until > now:
        return row
    if row.first_failure_at is None or now - row.first_failure_at > window or row.locked_until:
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + datetime.timedelta(minutes=limits["lock_minutes"])
    row.save()
    if row.locked_until:
        audit.record(
            audit.Action.OTHER,
            object_type="accounts.loginthrottle",
            object_id=key,
            object_repr=f"登录锁定 {key if key.startswith('user:') else key[:12]}",
            reason=f"连续{row.failures}次登录失败，"
            f"锁定至{timezone.localtime(row.locked_until):%H:%M}",
        )
    return row


def register_failure(user=None, identifier: str = "", remote_addr: str | None = None) -> int | None:
    """Count one failed sign-in; return how many tries the account has left (0 = locked)."""
    now = timezone.now()
    limits = _limits()
    with transaction.atomic():
        row = _count(account_key(user, identifier), limits["account_failures"], now)
        key = address_key(remote_addr)
        if key:
            _count(key, limits["address_failures"], now)
    if row.locked_until and row.locked_until > now:
        return 0
    return max(0, limits["account_failures"] - row.failures)


def register_success(user) -> None:
    LoginThrottle.objects.filter(key=account_key(user)).delete()


def unlock(user) -> None:
    """For a hall administrator or a password reset: lift an account's lock now."""
    with transaction.atomic():
        deleted, _details = LoginThrottle.objects.filter(key=account_key(user)).delete()
        if deleted:
            record_account(audit.Action.OTHER, user, "解除登录锁定")
