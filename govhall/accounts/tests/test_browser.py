"""The citizen's journey in a real browser at phone width: register → verify the phone →
log in → my account; then the Jiangmen branch hall in the same session."""

import datetime
import os
import re

import pytest
from django.utils import timezone

from govhall.accounts.models import LoginEvent, Person, PhoneCode

from .helpers import last_code
from .test_registration import ID_NUMBER

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Guangdong#2026hall"


@pytest.fixture
def page(new_page):
    """A phone-width page in the project's shared chromium (tests/browser/fixtures.py)."""
    return new_page(viewport={"width": 390, "height": 844})


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_verify_login_journey(live_server, transactional_reference_data, page):
    page.goto(f"{live_server.url}/account/register/")
    assert no_horizontal_scroll(page)
    # A mistake first: the error summary names the field and links to it.
    page.get_by_label("身份证号码").fill(ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    page.get_by_role("button", name="下一步：验证手机号码").click()
    summary = page.locator(".error-summary")
    assert "身份证号码：身份证号码有一位不对" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link", name=re.compile("身份证号码")).first.click()
    assert page.evaluate("document.activeElement.id") == "id_id_number"

    page.get_by_label("身份证号码").fill(ID_NUMBER)
    page.get_by_label("姓名").fill("李小梅")
    page.get_by_label("手机号码").fill("13712345678")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="下一步：验证手机号码").click()

    page.wait_for_url(re.compile(r"/account/register/verify/"))
    assert "137****5678" in page.inner_text("main")
    page.get_by_label("短信验证码").fill(last_code("13712345678"))
    page.get_by_role("button", name="完成注册").click()

    # Registration signs the person in: no second sign-in.
    page.wait_for_url(re.compile(r"/account/(#.*)?$"))
    assert "注册成功，已为您登录" in page.inner_text("main")
    assert "李小梅" in page.inner_text("main")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/$"))

    # Sign in by SMS code: one code a minute per number (the registration's was just sent),
    # a wrong code counts, the right one signs in.
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_role("link", name="使用短信验证码登录").click()
    page.get_by_label("手机号码").fill("137 1234 5678")
    page.get_by_role("button", name="获取验证码").click()
    assert "秒后再重新获取" in page.locator(".error-summary").inner_text()
    minute_ago = timezone.now() - datetime.timedelta(seconds=61)
    PhoneCode.objects.filter(mobile="13712345678").update(created_at=minute_ago)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(re.compile(r"/account/login/sms/verify/"))
    assert "137****5678" in page.inner_text("main")
    code = last_code("13712345678")
    page.get_by_label("短信验证码").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="登录", exact=True).click()
    assert "还可尝试" in page.locator(".error-summary").inner_text()
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/account/(#.*)?$"))
    assert "李小梅" in page.inner_text("main")
    event = LoginEvent.objects.filter(user__mobile="13712345678").order_by("-pk").first()
    assert event.method == LoginEvent.Method.SMS
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("身份证号码／手机号码／用户名").fill("13712345678")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()

    page.wait_for_url(re.compile(r"/account/(#.*)?$"))
    main = page.inner_text("main")
    assert "李小梅" in main and "4407**********" in main and ID_NUMBER not in page.content()
    assert "一级：自助注册" in main
    assert no_horizontal_scroll(page)
    assert Person.objects.get().user.mobile_verified_at is not None

    # The branch hall is served in the same session: no second login.
    page.goto(f"{live_server.url}/halls/440700/")
    assert "江门" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/account/")
    assert page.url.endswith("/account/") and "李小梅" in page.inner_text("main")
    if os.environ.get("GOVHALL_SCREENSHOTS"):
        page.screenshot(path=os.environ["GOVHALL_SCREENSHOTS"] + "/account-390.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("govhall.accounts.tests.urls_session")
def test_session_expiry_warning_and_renewal(
    live_server, transactional_reference_data, page, settings
):
    from .factories import DEFAULT_PASSWORD, PersonFactory

    settings.SESSION_COOKIE_AGE = 184  # warn 180 s before the end: after about 4 s
    person = PersonFactory()
    page.goto(f"{live_server.url}/account/login/?next=/session-page/")
    page.get_by_label("身份证号码／手机号码／用户名").fill(person.user.username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/session-page/"))
    dialog = page.get_by_role("dialog", name="登录即将超时")
    dialog.wait_for(state="visible", timeout=15_000)
    assert "剩余时间" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "继续使用"
    with page.expect_response(re.compile(r"/account/session/keepalive/")) as renewed:
        dialog.get_by_role("button", name="继续使用").click()
    assert renewed.value.status == 200
    dialog.wait_for(state="hidden", timeout=5_000)
