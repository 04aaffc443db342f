"""Sign-in by SMS code (issue #15 point 18): the phone limits and the lockout apply, an
unknown number is answered alike and gets no message, staff keep password + TOTP."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from govhall.regions.models import Post
from tests.factories import StaffPostFactory

from ..models import LoginEvent, PhoneCode
from ..services import phone, sms_login
from .factories import PersonFactory
from .helpers import last_code

pytestmark = pytest.mark.django_db


def _code_of(exc) -> str:
    (_field, errors), *_ = exc.value.error_dict.items()
    return errors[0].code


def _age_codes(mobile: str) -> None:
    """As if the number's growing delay had passed since each earlier code."""
    past = timezone.now() - phone.MAX_NUMBER_DELAY - datetime.timedelta(seconds=1)
    PhoneCode.objects.filter(mobile=mobile).update(created_at=past)


def test_wrong_codes_lock_the_account_like_wrong_passwords(sms_outbox):
    user = PersonFactory().user
    wrong = 0
    for attempt in range(5):
        address = f"10.0.0.{attempt + 1}"  # each from its own address: no address delay
        sms_login.send_code(user.mobile, address)
        code = last_code(user.mobile)
        with pytest.raises(ValidationError):
            sms_login.check(user.mobile, "000000" if code != "000000" else "111111", address)
        wrong += 1
        _age_codes(user.mobile)
    sent = len(sms_outbox)
    with pytest.raises(ValidationError) as locked:
        sms_login.send_code(user.mobile, "10.0.0.9")
    assert _code_of(locked) == "locked" and "锁定" in locked.value.messages[0]
    assert len(sms_outbox) == sent  # no code for a locked account
    assert wrong == 5


def test_the_right_code_signs_in_once_and_the_web_page_records_the_method(client, sms_outbox):
    user = PersonFactory().user
    response = client.post("/account/login/sms/", {"mobile": user.mobile})
    assert response.status_code == 302 and response.url.startswith("/account/login/sms/verify/")
    code = last_code(user.mobile)
    response = client.post("/account/login/sms/verify/", {"code": code})
    assert response.status_code == 302 and response.url == "/account/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert LoginEvent.objects.get(user=user).method == LoginEvent.Method.SMS
    with pytest.raises(ValidationError):
        sms_login.check(user.mobile, code)  # used once


def test_unknown_numbers_and_staff_get_the_same_answer_and_no_message(client, sms_outbox):
    staff = StaffPostFactory(post=Post.CLERK).user
    staff.mobile, staff.mobile_verified_at = "13900000888", timezone.now()
    staff.save(update_fields=["mobile", "mobile_verified_at"])
    for mobile in ("13900000999", staff.mobile):
        response = client.post("/account/login/sms/", {"mobile": mobile})
        assert response.status_code == 302
        assert not [m for m in sms_outbox if m.mobile == mobile]
        with pytest.raises(ValidationError):
            sms_login.check(mobile, "123456")
