"""Registration does not reveal existing accounts, and SMS sending is limited per number,
per client address and for the whole platform, with growing delays."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import Person, PhoneCode
from govhall.accounts.services import password, phone
from govhall.core.identifiers import make_id_number

from .factories import PersonFactory
from .helpers import last_code

pytestmark = pytest.mark.django_db
PASSWORD = "Guangdong#2026hall"


def data(n: int, **overrides) -> dict:
    values = {
        "id_number": make_id_number("440703", datetime.date(1988, 3, 9), 100 + n),
        "name": "李小梅",
        "mobile": f"1371234{n:04d}",
        "email": "",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "agree": "on",
    }
    values.update(overrides)
    return values


def codes_of(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def test_a_taken_id_number_and_mobile_look_exactly_like_a_new_registration(client, sms_outbox):
    existing = PersonFactory()
    fresh = client.post(reverse("accounts:register"), data(1), REMOTE_ADDR="198.51.100.1")
    probe = client.post(
        reverse("accounts:register"),
        data(2, id_number=existing.id_number, mobile=existing.user.mobile),
        REMOTE_ADDR="198.51.100.2",
    )
    assert (probe.status_code, probe.url) == (fresh.status_code, fresh.url)
    assert probe.url == reverse("accounts:register-verify")
    page = client.get(probe.url).content.decode()
    assert "已注册" not in page and "已被其他账号使用" not in page
    # the number's holder, and only they, learns it: a notice, no code
    (notice,) = [m for m in sms_outbox if m.mobile == existing.user.mobile]
    assert "已绑定政务服务网账号" in notice.text and not re.search(r"\d{6}", notice.text)
    wrong = client.post(reverse("accounts:register-verify"), {"code": "123456"})
    assert "验证码已失效" in wrong.content.decode()
    assert Person.objects.count() == 1


def test_a_taken_id_number_is_named_only_to_the_holder_of_a_verified_phone(client, sms_outbox):
    existing = PersonFactory()
    client.post(reverse("accounts:register"), data(3, id_number=existing.id_number))
    done = client.post(reverse("accounts:register-verify"), {"code": last_code(data(3)["mobile"])})
    assert "该身份证号码已注册账号" in done.content.decode()
    assert Person.objects.count() == 1
    notices = [m for m in sms_outbox if m.mobile == existing.user.mobile]
    assert len(notices) == 1 and "有人尝试用您的身份证号码注册" in notices[0].text


def test_twenty_registrations_from_one_address_send_one_sms(client, sms_outbox):
    """The probe sent 20 codes from one address; a rotating X-Forwarded-For changes nothing."""
    answers = [
        client.post(
            reverse("accounts:register"),
            data(10 + n),
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1",
        )
        for n in range(20)
    ]
    assert len(sms_outbox) == 1
    assert answers[0].status_code == 302
    refused = answers[1].content.decode()
    assert answers[1].status_code == 200 and "从您的网络获取验证码过于频繁" in refused
    assert PhoneCode.objects.count() == 1


def test_the_delay_per_address_grows_and_the_hourly_limit_holds(settings, sms_outbox):
    settings.GOVHALL_SMS_PER_ADDRESS_HOUR = 4
    address, t = "192.0.2.7", timezone.now()
    phone.send_code("13500000001", "register", now=t, address=address)
    with pytest.raises(ValidationError) as soon:
        phone.send_code(
            "13500000002", "register", now=t + datetime.timedelta(seconds=9), address=address
        )
    assert codes_of(soon.value) == {"address_too_soon"}
    t += datetime.timedelta(seconds=11)
    phone.send_code("13500000003", "register", now=t, address=address)  # waited 10 s
    with pytest.raises(ValidationError):  # now 20 s are needed
        phone.send_code(
            "13500000004", "register", now=t + datetime.timedelta(seconds=15), address=address
        )
    t += datetime.timedelta(seconds=21)
    phone.send_code("13500000005", "register", now=t, address=address)
    t += datetime.timedelta(seconds=41)
    phone.send_code("13500000006", "register", now=t, address=address)
    t += datetime.timedelta(seconds=81)
    with pytest.raises(ValidationError) as hourly:
        phone.send_code("13500000007", "register", now=t, address=address)
    assert "address_limit" in codes_of(hourly.value)
    # another address is not affected
    phone.send_code("13500000008", "register", now=t, address="192.0.2.8")


def test_a_full_hour_resets_neither_the_delay_nor_the_hourly_limit(settings, sms_outbox):
    """CI once sent at 09:59:51 and again at 10:00:00: a clock-hour counter forgot the
    first message and let the second through with no delay."""
    settings.GOVHALL_SMS_PER_ADDRESS_HOUR = 2
    address = "192.0.2.9"
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    t = hour - datetime.timedelta(seconds=9)
    phone.send_code("13500000011", "register", now=t, address=address)
    with pytest.raises(ValidationError) as soon:
        phone.send_code("13500000012", "register", now=hour, address=address)
    assert codes_of(soon.value) == {"address_too_soon"}
    phone.send_code("13500000013", "register", now=hour + _s(2), address=address)
    with pytest.raises(ValidationError) as hourly:  # two in the last hour already
        phone.send_code("13500000014", "register", now=hour + _s(30 * 60), address=address)
    assert "address_limit" in codes_of(hourly.value)
    # an hour after the first message, the window has moved on
    phone.send_code("13500000015", "register", now=t + _s(3600 + 45 * 60), address=address)
    assert len(sms_outbox) == 3


def _s(seconds: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)


def test_the_delay_per_number_grows(sms_outbox):
    mobile, t = "13600000009", timezone.now()
    phone.send_code(mobile, "register", now=t)
    t += datetime.timedelta(seconds=61)
    phone.send_code(mobile, "register", now=t)
    with pytest.raises(ValidationError, match="秒后再重新获取") as soon:
        phone.send_code(mobile, "register", now=t + datetime.timedelta(seconds=100))
    assert codes_of(soon.value) == {"too_soon"}
    phone.send_code(mobile, "register", now=t + datetime.timedelta(seconds=121))
    assert len(sms_outbox) == 3


def test_the_global_limit_holds_for_every_address(settings, sms_outbox):
    settings.GOVHALL_SMS_GLOBAL_PER_MINUTE = 2
    t = timezone.now().replace(second=1)
    phone.send_code("13700000001", "register", now=t, address="192.0.2.1")
    phone.send_code("13700000002", "register", now=t, address="192.0.2.2")
    with pytest.raises(ValidationError) as busy:
        phone.send_code("13700000003", "register", now=t, address="192.0.2.3")
    assert codes_of(busy.value) == {"global_limit"}
    assert len(sms_outbox) == 2


def test_password_reset_limits_apply_whether_or_not_the_account_exists(settings, sms_outbox):
    settings.GOVHALL_SMS_PER_ADDRESS_HOUR = 1
    existing = PersonFactory()
    assert password.start_reset(existing.user.mobile, address="192.0.2.50") == existing.user
    # the number's own delay is not reported (it would say the account exists)
    assert password.start_reset(existing.user.mobile, address="192.0.2.51") == existing.user
    assert len(sms_outbox) == 1
    # an unknown identifier counts against the address like a real one
    assert password.start_reset("13999999999", address="192.0.2.60") is None
    with pytest.raises(ValidationError) as limited:
        password.start_reset("13999999998", address="192.0.2.60")
    assert codes_of(limited.value) == {"address_too_soon"}  # counted like a real send
