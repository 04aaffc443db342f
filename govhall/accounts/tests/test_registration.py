"""Registration with phone verification, then sign-in on the main hall that carries over
to the Jiangmen branch hall."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import LoginEvent, Person, PhoneCode, RealNameLevel, User
from govhall.accounts.services import phone
from govhall.core.identifiers import make_id_number

from .factories import PersonFactory
from .helpers import last_code

ID_NUMBER = make_id_number("440703", datetime.date(1990, 5, 17), 345)
PASSWORD = "Guangdong#2026hall"


def registration_data(**overrides):
    data = {
        "id_number": ID_NUMBER.lower(),
        "name": "李小梅",
        "mobile": "13712345678",
        "email": "",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "agree": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_verify_login_and_branch_hall_sees_the_session(client, sms_outbox):
    response = client.post(reverse("accounts:register"), registration_data())
    assert response.status_code == 302
    assert response.url == reverse("accounts:register-verify")
    # Nothing is written before the phone is verified; the session holds no clear number.
    assert not Person.objects.exists()
    assert not User.objects.filter(mobile="13712345678").exists()
    assert ID_NUMBER not in str(dict(client.session))
    assert len(sms_outbox) == 1 and sms_outbox[0].mobile == "13712345678"

    page = client.get(response.url)
    assert "137****5678" in page.content.decode()

    wrong = client.post(reverse("accounts:register-verify"), {"code": "000000"})
    if last_code("13712345678") != "000000":
        assert "验证码不正确，还可尝试4次" in wrong.content.decode()

    done = client.post(reverse("accounts:register-verify"), {"code": last_code("13712345678")})
    # The verified code signs the new account in (no second sign-in).
    assert done.status_code == 302 and done.url == reverse("accounts:home")
    person = Person.objects.get()
    assert int(client.session["_auth_user_id"]) == person.user_id
    registered = LoginEvent.objects.get(user=person.user)
    assert registered.method == LoginEvent.Method.REGISTRATION
    client.post(reverse("accounts:logout"))
    assert person.id_number == ID_NUMBER  # normalised: the lower-case x was not an issue
    assert person.name == "李小梅"
    assert person.realname_level == RealNameLevel.SELF_REGISTERED
    assert person.user.mobile == "13712345678" and person.user.mobile_verified_at is not None
    assert ID_NUMBER not in person.user.username

    # Log in on the main hall with the ID number…
    login = client.post(
        reverse("accounts:login"), {"username": ID_NUMBER, "password": PASSWORD, "next": "/"}
    )
    assert login.status_code == 302 and login.url == "/"
    event = LoginEvent.objects.filter(user=person.user).latest("pk")
    assert event.hall.region_id == "440000" and event.channel == "web"
    # …and the Jiangmen branch hall already knows who is there.
    branch = client.get("/halls/440700/")
    assert branch.status_code == 200
    assert branch.context["user"] == person.user
    assert branch.wsgi_request.user.is_authenticated
    account = client.get(reverse("accounts:home"))
    assert "李小梅" in account.content.decode()
    assert "4407**********" in account.content.decode()
    assert ID_NUMBER not in account.content.decode()


@pytest.mark.django_db
def test_id_number_is_encrypted_at_rest_and_found_through_the_blind_index():
    person = PersonFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM accounts_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert stored != person.id_number and person.id_number not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert Person.objects.get(id_number_index=Person.index_for(person.id_number)) == person
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        Person.objects.filter(id_number=person.id_number).exists()


@pytest.mark.django_db
def test_registration_errors_name_the_field_and_write_nothing(client, sms_outbox):
    existing = PersonFactory()
    bad = registration_data(
        id_number=ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"),
        mobile="1234",
        password="short",
        password_again="different",
    )
    response = client.post(reverse("accounts:register"), bad)
    assert response.status_code == 200
    body = response.content.decode()
    # Plain words, no standard's clause (the API's error code names the rule).
    assert "身份证号码：身份证号码有一位不对：最后一位与前17位对不上" in body
    assert "GB 11643" not in body and "MOD 11-2" not in body
    assert "手机号码：手机号码应为以1开头的11位数字" in body
    assert "再次输入密码：两次输入的密码不一样，请重新输入。" in body
    assert "密码：" in body and "10" in body
    assert 'aria-invalid="true"' in body
    assert "已注册" not in body  # existing accounts are never named (test_registration_privacy)
    assert Person.objects.count() == 1 and not sms_outbox and not PhoneCode.objects.exists()
    assert existing.pk


@pytest.mark.django_db
def test_password_must_not_contain_the_birth_date(client):
    response = client.post(
        reverse("accounts:register"),
        registration_data(password="abc19900517xyz!", password_again="abc19900517xyz!"),
    )
    assert "密码不能包含身份证号码中的出生日期" in response.content.decode()


@pytest.mark.django_db
def test_codes_expire_are_rate_limited_and_single_use(sms_outbox):
    mobile = "13600000001"
    now = timezone.now()
    phone.send_code(mobile, PhoneCode.Purpose.REGISTER, now=now)
    with pytest.raises(Exception, match="秒后再重新获取"):
        phone.send_code(mobile, PhoneCode.Purpose.REGISTER, now=now + datetime.timedelta(seconds=5))
    code = last_code(mobile)
    with pytest.raises(Exception, match="验证码已失效"):
        phone.check_code(
            mobile, PhoneCode.Purpose.REGISTER, code, now=now + datetime.timedelta(minutes=6)
        )
    phone.check_code(
        mobile, PhoneCode.Purpose.REGISTER, code, now=now + datetime.timedelta(minutes=1)
    )
    with pytest.raises(Exception, match="验证码已失效"):
        phone.check_code(
            mobile, PhoneCode.Purpose.REGISTER, code, now=now + datetime.timedelta(minutes=2)
        )
    assert all(code not in (p.code_hash) for p in PhoneCode.objects.all())


@pytest.mark.django_db
def test_five_wrong_codes_burn_the_code(sms_outbox):
    mobile = "13600000002"
    phone.send_code(mobile, PhoneCode.Purpose.REGISTER)
    code = last_code(mobile)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        with pytest.raises(Exception, match="验证码"):
            phone.check_code(mobile, PhoneCode.Purpose.REGISTER, wrong)
    with pytest.raises(Exception, match="错误次数过多"):
        phone.check_code(mobile, PhoneCode.Purpose.REGISTER, code)


@pytest.mark.django_db
def test_an_empty_confirmation_asks_in_plain_words(client, sms_outbox):
    response = client.post(reverse("accounts:register"), registration_data(password_again=""))
    body = response.content.decode()
    assert "请再输入一遍密码，确认两次相同。" in body
    assert "请填写再次输入密码" not in body
