"""Password reset by SMS code (找回密码); also how legacy accounts without a password
set their first one."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govhall.core import context

from ..backends import resolve_user
from ..models import PhoneCode
from . import lockout, phone


def start_reset(identifier: str, *, address: str | None = None):
    """Send a code to the account's phone; return the account (or None — the page says the
    same either way, so it does not reveal which accounts exist). The number's own limits
    are not reported either (only an existing account has them); the address and global
    limits are, for every identifier alike."""
    user = resolve_user(identifier)
    if user is None or not user.mobile or not user.is_active:
        phone.count_attempt(address)
        return None
    try:
        phone.send_code(user.mobile, PhoneCode.Purpose.RESET_PASSWORD, address=address)
    except ValidationError as exc:
        codes = {e.code for errors in exc.error_dict.values() for e in errors}
        if codes <= {"too_soon", "daily_limit"}:
            return user  # the code sent earlier still works
        raise
    return user


def finish_reset(user, *, code: str, password: str, password_again: str) -> None:
    if user is None or not user.mobile:
        raise ValidationError(
            {"code": ValidationError(_("验证码已失效，请重新获取。"), code="expired")}
        )
    errors: dict[str, list[ValidationError]] = {}
    if password != password_again:
        errors["password_again"] = [
            ValidationError(_("两次输入的密码不一样，请重新输入。"), code="mismatch")
        ]
    try:
        validate_password(password or "", user=user)
    except ValidationError as exc:
        errors["password"] = [ValidationError(m, code="password_rule") for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    phone.check_code(user.mobile, PhoneCode.Purpose.RESET_PASSWORD, code)
    with transaction.atomic(), context.acting(reason="通过短信验证码重置密码"):
        user.set_password(password)
        user.save(update_fields=["password"])
        lockout.unlock(user)
