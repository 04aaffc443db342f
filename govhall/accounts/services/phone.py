"""One-time codes sent to a mobile phone (短信验证码): send, check, rate limits."""

from __future__ import annotations

import datetime
import hmac
import logging
import re
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import crypto, sms
from ..models import PhoneCode, mask_mobile

log = logging.getLogger(__name__)

CODE_LENGTH = 6
CODE_TTL = datetime.timedelta(minutes=5)
RESEND_INTERVAL = datetime.timedelta(seconds=60)
MAX_SENDS_PER_DAY = 10
MAX_ATTEMPTS = 5

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


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


def send_code(mobile: str, purpose: str, *, now: datetime.datetime | None = None) -> PhoneCode:
    """Send a fresh code, refusing when the last one is under a minute old or the daily
    quota is used up. Earlier unused codes for the same purpose stop working."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the day's rows (a list: PostgreSQL refuses FOR UPDATE with COUNT).
        recent = list(
            PhoneCode.objects.select_for_update()
            .filter(mobile=mobile, created_at__gte=now - datetime.timedelta(days=1))
            .order_by("-created_at")
        )
        last = recent[0] if recent else None
        if last is not None and now - last.created_at < RESEND_INTERVAL:
            wait = int((RESEND_INTERVAL - (now - last.created_at)).total_seconds()) + 1
            raise ValidationError(
                {
                    "mobile": ValidationError(
                        _("验证码已发送，请%(wait)s秒后再重新获取。") % {"wait": wait},
                        code="too_soon",
                    )
                }
            )
        if len(recent) >= MAX_SENDS_PER_DAY:
            raise ValidationError(
                {
                    "mobile": ValidationError(
                        _("该手机号码今日获取验证码已达%(limit)s次，请明天再试。")
                        % {"limit": MAX_SENDS_PER_DAY},
                        code="daily_limit",
                    )
                }
            )
        PhoneCode.objects.filter(mobile=mobile, purpose=purpose, consumed_at__isnull=True).update(
            consumed_at=now
        )
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
