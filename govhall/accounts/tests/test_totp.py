"""The staff second factor: enrolment with a TOTP authenticator, verification at every
sign-in, enforced on every page whichever login page was used."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from govhall.accounts.models import LoginEvent
from govhall.regions.models import Department, Post
from tests.factories import DEFAULT_PASSWORD, StaffPostFactory


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def staff_user():
    department = Department.objects.get(region_id="440700", name="江门市民政局")
    return StaffPostFactory(department=department, post=Post.APPROVER).user


def login(client, user):
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )


@pytest.mark.django_db
def test_required_totp_enrolment_then_verification(client, staff_user, settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = True
    response = login(client, staff_user)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:totp-setup"))
    # Nothing else is reachable until the second factor is done.
    blocked = client.get(reverse("workbench:home"))
    assert blocked.status_code == 302 and blocked.url.startswith(reverse("accounts:totp-setup"))
    api = client.get("/api/v1/regions/")
    assert api.status_code == 403 and api.json()["errors"][0]["code"] == "second_factor_required"

    setup = client.get(response.url)
    assert "<svg" in setup.content.decode() and "密钥" in setup.content.decode()
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    bad = client.post(
        response.url, {"token": "123456" if current_code(device) != "123456" else "654321"}
    )
    assert "动态口令不正确" in bad.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(response.url, {"token": current_code(device)})
    assert done.status_code == 302
    assert client.get(reverse("workbench:home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Next sign-in (any login page) asks for the code first.
    client.post(reverse("accounts:logout"))
    client.login(username=staff_user.username, password=DEFAULT_PASSWORD)
    wall = client.get(reverse("workbench:home"))
    assert wall.url.startswith(reverse("accounts:totp-verify"))
    device.refresh_from_db()
    verify = reverse("accounts:totp-verify")
    answer = client.post(verify, {"token": current_code(device), "next": "/workbench/"})
    if answer.status_code == 200:
        # Still the 30-second step whose code enrolled the device: a replay, refused.
        assert "动态口令不正确" in answer.content.decode()
        device.refresh_from_db()
        device.last_t -= 1  # as if the next step had come
        device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
        device.save()
        answer = client.post(verify, {"token": current_code(device), "next": "/workbench/"})
    assert answer.status_code == 302 and answer.url == "/workbench/"
    assert client.get(reverse("workbench:home")).status_code == 200


@pytest.mark.django_db
def test_enrolled_staff_always_verify_and_login_record_shows_it(client, staff_user, settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    device = TOTPDevice.objects.create(user=staff_user, name="验证器", confirmed=True)
    response = login(client, staff_user)
    assert response.url.startswith(reverse("accounts:totp-verify"))
    ok = client.post(response.url, {"token": current_code(device)})
    assert ok.status_code == 302
    event = LoginEvent.objects.get(user=staff_user)
    assert event.method == LoginEvent.Method.PASSWORD_TOTP


@pytest.mark.django_db
def test_citizens_and_unenrolled_staff_without_policy_pass(client, staff_user, settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    response = login(client, staff_user)
    assert response.status_code == 302 and response.url == reverse("workbench:home")
    assert client.get(reverse("workbench:home")).status_code == 200
