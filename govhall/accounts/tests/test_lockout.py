"""Login throttling and lockout: clear messages, refused even with the right password,
lifted after the lock period, shared by every login page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import LoginThrottle
from govhall.core.models import AuditEntry

from .factories import DEFAULT_PASSWORD, PersonFactory


def attempt(client, username, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


@pytest.mark.django_db
def test_account_locks_after_five_wrong_passwords(client):
    person = PersonFactory()
    for left in (4, 3, 2, 1):
        body = attempt(client, person.id_number, "wrong-password-1").content.decode()
        assert f"账号或密码不正确，还可尝试{left}次" in body
    fifth = attempt(client, person.id_number, "wrong-password-1").content.decode()
    assert "连续输错密码次数过多，账号已锁定" in fifth and "分钟" in fifth

    # The right password is refused while locked — by ID number, mobile or username.
    for identifier in (person.id_number, person.user.mobile, person.user.username):
        locked = attempt(client, identifier, DEFAULT_PASSWORD)
        assert locked.status_code == 200
        assert "账号已锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The workbench's plain Django login goes through the same backend: refused too.
    assert client.login(username=person.user.username, password=DEFAULT_PASSWORD) is False
    assert AuditEntry.objects.filter(object_type="accounts.loginthrottle").exists()
    assert "4407" not in "".join(
        AuditEntry.objects.filter(action="login_failed").values_list("object_repr", flat=True)
    ).replace("4407**********", "")


@pytest.mark.django_db
def test_lock_expires_and_success_clears_the_counter(client):
    person = PersonFactory()
    for _ in range(5):
        attempt(client, person.user.mobile, "wrong-password-1")
    row = LoginThrottle.objects.get(key=f"user:{person.user.pk}")
    assert row.locked_until > timezone.now()
    row.locked_until = timezone.now() - datetime.timedelta(seconds=1)
    row.save()
    ok = attempt(client, person.user.mobile, DEFAULT_PASSWORD)
    assert ok.status_code == 302
    assert not LoginThrottle.objects.filter(key=f"user:{person.user.pk}").exists()


@pytest.mark.django_db
def test_unknown_accounts_answer_like_known_ones(client):
    bodies = [attempt(client, "13500000000", "whatever-123").content.decode() for _ in range(5)]
    assert "还可尝试4次" in bodies[0]
    assert "账号已锁定" in bodies[-1]


@pytest.mark.django_db
def test_address_throttle_spans_accounts(client, settings):
    settings.GOVHALL_LOGIN_LOCKOUT = {**settings.GOVHALL_LOGIN_LOCKOUT, "address_failures": 3}
    people = PersonFactory.create_batch(3)
    for person in people:
        attempt(client, person.user.username, "nope-nope-1", REMOTE_ADDR="10.1.2.3")
    fresh = PersonFactory()
    body = attempt(
        client, fresh.user.username, DEFAULT_PASSWORD, REMOTE_ADDR="10.1.2.3"
    ).content.decode()
    assert "本机登录失败次数过多" in body
    # Another address is not affected.
    assert (
        attempt(client, fresh.user.username, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code
        == 302
    )


@pytest.mark.django_db
def test_login_page_is_protected_by_csrf():
    from django.test import Client

    person = PersonFactory()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("accounts:login"), {"username": person.user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
