"""Self-registration of a person (自然人注册): check everything, verify the phone, create.

Nothing is written until the phone is verified: the checked form is kept encrypted in
the session (``PendingRegistration.seal``) while the code travels, then
``complete_registration`` re-checks uniqueness and creates the user and the person in
one transaction.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.core import context
from govhall.core.identifiers import validate_id_number

from .. import crypto
from ..models import LegalAcceptance, LegalDocument, Person, PhoneCode, RealNameLevel
from . import phone

NAME_MAX = 50


@dataclass
class PendingRegistration:
    id_number: str
    name: str
    mobile: str
    email: str
    password_hash: str
    # The versions of the 用户服务协议 and 个人信息保护说明 the person ticked (their ids).
    legal_documents: list[int] = field(default_factory=list)

    def seal(self) -> str:
        """Encrypted form for the session: the ID number never sits there in clear."""
        return crypto.encrypt(json.dumps(asdict(self), ensure_ascii=False))

    @classmethod
    def unseal(cls, token: str) -> PendingRegistration:
        return cls(**json.loads(crypto.decrypt(token)))


def new_username() -> str:
    """An opaque account name: never derived from the ID number or the phone."""
    User = get_user_model()
    while True:
        candidate = "gh" + secrets.token_hex(5)
        if not User.objects.filter(username=candidate).exists():
            return candidate


class FieldErrors(dict[str, list[ValidationError]]):
    """Every field's errors of a form's check, gathered so they are all shown at once."""

    def collect(self, func, *args):
        """``func(*args)``; on a ValidationError keep its messages and return None."""
        try:
            return func(*args)
        except ValidationError as exc:
            for key, messages in exc.error_dict.items():
                self.setdefault(key, []).extend(messages)
            return None


def clean_name(value: str, field: str = "name") -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({field: ValidationError(_("请填写姓名。"), code="required")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {
                field: ValidationError(
                    _("姓名不能超过%(max)s个字。") % {"max": NAME_MAX}, code="max_length"
                )
            }
        )
    return name


def clean_id_number(value: str, field: str = "id_number") -> str:
    result = validate_id_number(value)
    if not result.valid:
        raise ValidationError(
            {field: [ValidationError(e.message, code=e.code) for e in result.errors]}
        )
    return result.normalized


def id_number_taken(id_number: str) -> bool:
    return Person.objects.filter(id_number_index=Person.index_for(id_number)).exists()


def mobile_taken(mobile: str) -> bool:
    return get_user_model().objects.filter(mobile=mobile).exists()


def check_registration(
    *, id_number: str, name: str, mobile: str, password: str, password_again: str, email: str = ""
) -> PendingRegistration:
    """Validate every field at once and return what to keep until the phone is verified."""
    errors = FieldErrors()
    collect = errors.collect

    clean_id = collect(clean_id_number, id_number)
    clean = collect(clean_name, name)
    clean_mobile = collect(phone.validate_mobile, mobile)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(
                ValidationError(_("电子邮箱格式不正确。"), code="invalid")
            )
    # Whether the ID number or the mobile already has an account is NOT checked here: the
    # form must not reveal it (``start_registration`` continues by SMS either way).
    if password != password_again:
        errors.setdefault("password_again", []).append(
            ValidationError(_("两次输入的密码不一样，请重新输入。"), code="mismatch")
        )
    probe = get_user_model()(display_name=clean or "", email=email, mobile=clean_mobile)
    probe.first_name = clean or ""
    probe._pending_id_number = clean_id or ""
    try:
        validate_password(password or "", user=probe)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(
            ValidationError(m, code="password_rule") for m in exc.messages
        )
    if errors:
        raise ValidationError(errors)
    return PendingRegistration(
        id_number=clean_id,
        name=clean,
        mobile=clean_mobile,
        email=email,
        password_hash=make_password(password),
    )


MOBILE_TAKEN_NOTICE = gettext_lazy(
    "【广东政务服务网】本手机号码已绑定政务服务网账号，有人正尝试用它注册新账号。"
    "您可直接登录，忘记密码可通过短信验证码找回；如非本人操作，请忽略本短信。"
)
ID_NUMBER_TAKEN_NOTICE = gettext_lazy(
    "【广东政务服务网】有人尝试用您的身份证号码注册新账号，未能成功。您的账号不受影响；"
    "如非本人操作，请留意账号安全。"
)


def start_registration(pending: PendingRegistration, *, address: str | None = None) -> None:
    """Continue by SMS to the number whether or not an account exists, so the form reveals
    nothing: a number that already has an account gets a notice instead of a code (only
    its holder learns it, and no code will work); a free number gets the code. The SMS
    limits (per number, per ``address``, global, growing delays) apply to both alike."""
    if mobile_taken(pending.mobile):
        phone.send_notice(
            pending.mobile, PhoneCode.Purpose.REGISTER, str(MOBILE_TAKEN_NOTICE), address=address
        )
        return
    phone.send_code(pending.mobile, PhoneCode.Purpose.REGISTER, address=address)


def _notify_holder(id_number: str) -> None:
    """Tell the holder of an existing account that someone tried to register with their
    ID number; a limit reached is not reported (it would say the account exists)."""
    person = (
        Person.objects.select_related("user")
        .filter(id_number_index=Person.index_for(id_number))
        .first()
    )
    if person is None or not person.user.mobile:
        return
    with contextlib.suppress(ValidationError):
        phone.send_notice(
            person.user.mobile, PhoneCode.Purpose.REGISTER, str(ID_NUMBER_TAKEN_NOTICE)
        )


def complete_registration(pending: PendingRegistration, code: str) -> Person:
    """Check the phone code, then create the account and the person (level 1)."""
    phone.check_code(pending.mobile, PhoneCode.Purpose.REGISTER, code)
    User = get_user_model()
    # Only now — the caller holds this phone, and every try cost an SMS under the limits
    # — may the ID number's account be named; its holder is told by SMS.
    if id_number_taken(pending.id_number):
        _notify_holder(pending.id_number)
        raise ValidationError(
            {
                "id_number": ValidationError(
                    _("该身份证号码已注册账号，请直接登录；忘记密码可通过手机验证码找回。"),
                    code="taken",
                )
            }
        )
    try:
        with transaction.atomic():
            if id_number_taken(pending.id_number):
                raise ValidationError(
                    {"id_number": ValidationError(_("该身份证号码已注册账号。"), code="taken")}
                )
            if mobile_taken(pending.mobile):
                raise ValidationError(
                    {"mobile": ValidationError(_("该手机号码已被其他账号使用。"), code="taken")}
                )
            now = timezone.now()
            user = User(
                username=new_username(),
                display_name=pending.name,
                email=pending.email,
                mobile=pending.mobile,
                mobile_verified_at=now,
                password=pending.password_hash,
            )
            with context.acting(reason="自然人网上注册"):
                user.save()
                person = Person.objects.create(
                    user=user,
                    id_number=pending.id_number,
                    name=pending.name,
                    realname_level=RealNameLevel.SELF_REGISTERED,
                    source=Person.Source.REGISTERED,
                )
                accepted = LegalDocument.objects.filter(
                    pk__in=pending.legal_documents, published_at__isnull=False
                )
                LegalAcceptance.objects.bulk_create(
                    LegalAcceptance(user=user, document=d, accepted_at=now, how="registration")
                    for d in accepted
                )
                return person
    except IntegrityError:
        # Two registrations of the same number or phone raced; the other one won.
        raise ValidationError(
            {"id_number": ValidationError(_("该身份证号码或手机号码已注册账号。"), code="taken")}
        ) from None
