"""The staff second factor: TOTP authenticators (django-otp), enrolment and verification.

Who owes a second factor: anyone with a confirmed authenticator, and — when
``settings.GOVHALL_STAFF_TOTP_REQUIRED`` is on (production default) — every staff member
(a ``StaffPost``, ``is_staff`` or superuser), who is sent to enrol first. Verification is
kept in the session by django-otp; ``SecondFactorMiddleware`` enforces it on every page.
"""

from __future__ import annotations

import django_otp
import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from govhall.core.services import audit
from govhall.regions.models import StaffPost

from ..audit import record_account
from . import login as login_service

VERIFY = "verify"
ENROL = "enrol"
_SESSION_NOT_NEEDED = "govhall_2fa_not_needed"


def is_staff_member(user) -> bool:
    return bool(
        user.is_staff
        or user.is_superuser
        or StaffPost.objects.filter(user=user, is_active=True).exists()
    )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_step(request) -> str | None:
    """``VERIFY``, ``ENROL`` or None when this session owes nothing."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    session = getattr(request, "session", None)
    if session is not None and session.get(_SESSION_NOT_NEEDED) == user.pk:
        return None
    if confirmed_device(user) is not None:
        return VERIFY
    if getattr(settings, "GOVHALL_STAFF_TOTP_REQUIRED", False) and is_staff_member(user):
        return ENROL
    if session is not None:
        session[_SESSION_NOT_NEEDED] = user.pk
    return None


def start_enrolment(user) -> TOTPDevice:
    """An unconfirmed authenticator to show as a QR code; reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image library, no network)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=_("动态口令二维码")
    )


def _throttle_message(device: TOTPDevice) -> str | None:
    allowed, _details = device.verify_is_allowed()
    if allowed:
        return None
    return _("动态口令错误次数过多，请稍候几秒后再试。")


def confirm_enrolment(request, device: TOTPDevice, token: str) -> None:
    """The first code from the new authenticator proves it works; the session is verified."""
    if device.user_id != request.user.pk or device.confirmed:
        raise ValidationError({"token": ValidationError(_("请重新开始绑定。"), code="stale")})
    message = _throttle_message(device)
    if message:
        raise ValidationError({"token": ValidationError(message, code="throttled")})
    if not device.verify_token((token or "").strip()):
        raise ValidationError(
            {
                "token": ValidationError(
                    _("动态口令不正确，请输入验证器上当前显示的6位数字。"), code="mismatch"
                )
            }
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_account(audit.Action.OTHER, request.user, "绑定动态口令验证器")
    django_otp.login(request, device)
    login_service.mark_second_factor(request)


def verify(request, token: str) -> None:
    device = confirmed_device(request.user)
    if device is None:
        raise ValidationError(
            {"token": ValidationError(_("尚未绑定动态口令验证器。"), code="no_device")}
        )
    message = _throttle_message(device)
    if message:
        raise ValidationError({"token": ValidationError(message, code="throttled")})
    verified = django_otp.verify_token(request.user, device.persistent_id, (token or "").strip())
    if verified is None:
        record_account(audit.Action.LOGIN_FAILED, request.user, "动态口令错误")
        raise ValidationError(
            {
                "token": ValidationError(
                    _("动态口令不正确，请输入验证器上当前显示的6位数字。"), code="mismatch"
                )
            }
        )
    django_otp.login(request, verified)
    login_service.mark_second_factor(request)


def reset(user) -> int:
    """For a hall administrator: remove a lost authenticator so the user enrols again."""
    with transaction.atomic():
        count, _details = TOTPDevice.objects.filter(user=user).delete()
        if count:
            record_account(audit.Action.OTHER, user, "重置动态口令验证器")
    return count
