"""Sign-in by a one-time code sent to the account's verified mobile (短信验证码登录).

The code goes through ``phone`` (one code per minute, ten a day per number, five guesses,
five minutes); a wrong or expired code counts as a failed sign-in for the account and the
address in ``lockout``, exactly as a wrong password does, and a locked account or
address gets no code and cannot finish. Whether a number has an account is never said:
an unknown number gets the same answer and no message. Staff accounts sign in with their
password and second factor only.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import PhoneCode
from . import lockout, phone, totp

BACKEND = "govhall.accounts.backends.IdentityBackend"


def _account(mobile: str):
    user = (
        get_user_model()
        .objects.filter(mobile=mobile, mobile_verified_at__isnull=False, is_active=True)
        .first()
    )
    if user is None or totp.is_staff_member(user):
        return None
    return user


def _refuse_if_locked(user, mobile: str, remote_addr: str | None) -> None:
    lock = lockout.current_lock(user, mobile, remote_addr)
    if lock is not None:
        raise ValidationError({"mobile": ValidationError(lock.message, code="locked")})


def send_code(mobile: str, remote_addr: str | None = None) -> str:
    """Send a sign-in code to the number if it is a citizen account's verified mobile;
    returns the normalised number (the caller keeps it for the second step)."""
    mobile = phone.validate_mobile(mobile)
    user = _account(mobile)
    _refuse_if_locked(user, mobile, remote_addr)
    if user is not None:
        phone.send_code(mobile, PhoneCode.Purpose.LOGIN)
    return mobile


def check(mobile: str, code: str, remote_addr: str | None = None):
    """The account the code signs in; a wrong code counts towards the lockout."""
    user = _account(mobile)
    _refuse_if_locked(user, mobile, remote_addr)
    try:
        if user is None:
            raise ValidationError(
                {"code": ValidationError(_("验证码已失效，请重新获取。"), code="expired")}
            )
        phone.check_code(mobile, PhoneCode.Purpose.LOGIN, code)
    except ValidationError:
        left = lockout.register_failure(user, mobile, remote_addr)
        lock = lockout.current_lock(user, mobile, remote_addr)
        if lock is not None or left == 0:
            raise ValidationError(
                {
                    "code": ValidationError(
                        lock.message if lock else _("账号已锁定。"), code="locked"
                    )
                }
            ) from None
        raise
    return user
