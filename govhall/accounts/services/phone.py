"""One-time codes sent to a mobile phone (短信验证码): send, check, rate limits.

Every SMS the hall sends on its own initiative (codes, and the notice to a number that
already has an account) passes three limits first, so neither a prober nor a script can
turn registration or password reset into an SMS cannon:

- per number (in the database, so exact): the next message waits 60 s after the first,
  then twice as long after each further one (120 s, 240 s … at most an hour), and at
  most ``MAX_SENDS_PER_DAY`` a day;
- per client address (``operations.client``: the address nginx saw, never what the
  client wrote into ``X-Forwarded-For``): a growing delay (10 s, 20 s, 40 s … at most
  15 minutes) and ``GOVHALL_SMS_PER_ADDRESS_HOUR`` / ``GOVHALL_SMS_PER_ADDRESS_DAY``;
- for the whole platform: ``GOVHALL_SMS_GLOBAL_PER_MINUTE``.

The address and global counters live in the Django cache — Redis when ``REDIS_URL`` is
set — as atomic increments, so every app process shares them, and count over sliding
windows (``core.windows``: the last hour, day or minute), so nothing resets at a full
hour or at midnight.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import math
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...core.windows import sliding_count
from .. import crypto, sms
from ..models import PhoneCode, mask_mobile

log = logging.getLogger(__name__)

CODE_LENGTH = 6
CODE_TTL = datetime.timedelta(minutes=5)
RESEND_INTERVAL = datetime.timedelta(seconds=60)
MAX_SENDS_PER_DAY = 10
MAX_ATTEMPTS = 5

MAX_NUMBER_DELAY = datetime.timedelta(hours=1)
ADDRESS_BASE_DELAY = 10  # seconds, doubled for each further message from the address
MAX_ADDRESS_DELAY = 15 * 60

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def number_delay(sent_today: int) -> datetime.timedelta:
    """How long after the last message the next one to the same number may go."""
    if sent_today <= 0:
        return datetime.timedelta(0)
    return min(RESEND_INTERVAL * 2 ** (sent_today - 1), MAX_NUMBER_DELAY)


def address_delay(sent_this_hour: int) -> int:
    """Seconds after the last message from one address before the next may go."""
    if sent_this_hour <= 0:
        return 0
    return min(ADDRESS_BASE_DELAY * 2 ** (sent_this_hour - 1), MAX_ADDRESS_DELAY)


def _refuse(code: str, message: str, field: str = "mobile") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_shared_limits(address: str | None, now: datetime.datetime) -> None:
    """Refuse (without sending) when the address or the platform is over its limit;
    otherwise count this message. Raises before anything is written."""
    stamp = now.timestamp()
    if address:
        prefix = f"sms:address:{address}"
        last = cache.get(f"{prefix}:last")
        if last is not None:
            estimate, _previous = sliding_count(f"{prefix}:h", 3600, stamp)
            recent = math.ceil(estimate - 1e-9)  # a whole message, not float noise
            wait = address_delay(recent) - (stamp - last)
            if wait > 0:
                raise _refuse(
                    "address_too_soon",
                    _("从您的网络获取验证码过于频繁，请%(wait)s秒后再试。")
                    % {"wait": math.ceil(wait)},
                )
        hourly, _previous = sliding_count(f"{prefix}:h", 3600, stamp, count=True)
        if hourly > _limit("GOVHALL_SMS_PER_ADDRESS_HOUR", 10):
            raise _refuse("address_limit", _("从您的网络获取验证码次数过多，请一小时后再试。"))
        daily, _previous = sliding_count(f"{prefix}:d", 86400, stamp, count=True)
        if daily > _limit("GOVHALL_SMS_PER_ADDRESS_DAY", 30):
            raise _refuse("address_limit", _("从您的网络今日获取验证码次数过多，请明天再试。"))
        cache.set(f"{prefix}:last", stamp, 3700)
    this_minute, _previous = sliding_count("sms:global:m", 60, stamp, count=True)
    if this_minute > _limit("GOVHALL_SMS_GLOBAL_PER_MINUTE", 300):
        raise _refuse("global_limit", _("短信发送繁忙，请稍后再试。"))


def count_attempt(address: str | None, *, now: datetime.datetime | None = None) -> None:
    """Apply the address and global limits to a request that sends nothing (a password
    reset for no account), so it is limited exactly as one that sends."""
    _check_shared_limits(address, now or timezone.now())


def _check_number(mobile: str, now: datetime.datetime) -> None:
    """Lock the number's messages of the last day and refuse when the next one is too
    soon (a growing delay) or the daily quota is used up."""
    # Lock the day's rows (a list: PostgreSQL refuses FOR UPDATE with COUNT).
    recent = list(
        PhoneCode.objects.select_for_update()
        .filter(mobile=mobile, created_at__gte=now - datetime.timedelta(days=1))
        .order_by("-created_at")
    )
    last = recent[0] if recent else None
    delay = number_delay(len(recent))
    if last is not None and now - last.created_at < delay:
        wait = int((delay - (now - last.created_at)).total_seconds()) + 1
        raise _refuse("too_soon", _("验证码已发送，请%(wait)s秒后再重新获取。") % {"wait": wait})
    if len(recent) >= MAX_SENDS_PER_DAY:
        raise _refuse(
            "daily_limit",
            _("该手机号码今日获取验证码已达%(limit)s次，请明天再试。")
            % {"limit": MAX_SENDS_PER_DAY},
        )


def normalize_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 prefix; full-width digits become ASCII."""
    text = unicodedata.normalize("NFKC", value or "")
    text = re.sub(r"[\s\-()]", "", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def validate_mobile(value: str, field: str = "mobile") -> str:
    mobile = normalize_mobile(value)
    if not mobile:
        raise ValidationError({field: ValidationError(_("请填写手机号码。"), code="required")})
    if not _MOBILE.match(mobile):
        raise ValidationError(
            {
                field: ValidationError(
                    _("手机号码应为以1开头的11位数字（中国大陆手机号码）。"), code="format"
                )
            }
        )
    return mobile


def _hash(mobile: str, purpose: str, code: str) -> str:
    return crypto.blind_index("sms", f"{mobile}:{purpose}:{code}")


def _make_room(mobile: str, purpose: str, address: str | None, now: datetime.datetime) -> None:
    """Refuse a message over the number's, the address's or the platform's limit; else
    stop the earlier unused codes of ``purpose`` working (only the newest one counts)."""
    _check_number(mobile, now)
    _check_shared_limits(address, now)
    PhoneCode.objects.filter(mobile=mobile, purpose=purpose, consumed_at__isnull=True).update(
        consumed_at=now
    )


def send_code(
    mobile: str,
    purpose: str,
    *,
    now: datetime.datetime | None = None,
    address: str | None = None,
) -> PhoneCode:
    """Send a fresh code, refusing when the number, the client ``address`` or the
    platform is over its limit. Earlier unused codes for the same purpose stop working."""
    now = now or timezone.now()
    with transaction.atomic():
        _make_room(mobile, purpose, address, now)
        code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
        record = PhoneCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=_hash(mobile, purpose, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        minutes = int(CODE_TTL.total_seconds() // 60)
        label = PhoneCode.Purpose(purpose).label
        sms.send(
            mobile,
            _(
                "【广东政务服务网】您的%(label)s验证码为%(code)s，%(minutes)s分钟内有效。"
                "工作人员不会向您索取验证码，请勿告知他人。"
            )
            % {"label": label, "code": code, "minutes": minutes},
        )
    log.info("phone code sent to %s for %s", mask_mobile(mobile), purpose)
    return record


def send_notice(
    mobile: str,
    purpose: str,
    text: str,
    *,
    now: datetime.datetime | None = None,
    address: str | None = None,
) -> None:
    """Send a message without a code under the same limits as codes: it is recorded as a
    spent code (no usable hash), so the number's delay and daily quota count it too."""
    now = now or timezone.now()
    with transaction.atomic():
        _make_room(mobile, purpose, address, now)
        PhoneCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=_hash(mobile, purpose, secrets.token_hex(16)),
            created_at=now,
            expires_at=now,
            consumed_at=now,
        )
        sms.send(mobile, text)
    log.info("notice sent to %s for %s", mask_mobile(mobile), purpose)


def check_code(
    mobile: str, purpose: str, code: str, *, now: datetime.datetime | None = None
) -> PhoneCode:
    """Consume the current code if it matches; count a wrong guess against it."""
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        record = (
            PhoneCode.objects.select_for_update()
            .filter(mobile=mobile, purpose=purpose, consumed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if record is None or record.expires_at <= now:
            raise ValidationError(
                {"code": ValidationError(_("验证码已失效，请重新获取。"), code="expired")}
            )
        if record.attempts >= MAX_ATTEMPTS:
            raise ValidationError(
                {"code": ValidationError(_("验证码错误次数过多，请重新获取。"), code="too_many")}
            )
        if not (code.isdigit() and len(code) == CODE_LENGTH):
            raise ValidationError({"code": ValidationError(_("验证码为6位数字。"), code="format")})
        if not hmac.compare_digest(record.code_hash, _hash(mobile, purpose, code)):
            record.attempts += 1
            record.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - record.attempts
            message = (
                _("验证码不正确，还可尝试%(left)s次。") % {"left": left}
                if left
                else _("验证码错误次数过多，请重新获取。")
            )
            # Raised after the block so that the counted attempt is committed.
            error = ValidationError({"code": ValidationError(message, code="mismatch")})
        else:
            record.consumed_at = now
            record.save(update_fields=["consumed_at"])
            return record
    raise error
