"""The apply journey in a real browser at 390 px: conditional questions, the error
summary, upload, check and submit, with no serious axe-core violation on any page."""

import os
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from govhall.demo.files import blank_pdf
from tests.browser.helpers import PHONE, click_and_follow, describe_violations, run_axe

from ..models import Case
from . import factories as f
from .portal_helpers import _private_media  # noqa: F401  (autouse fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}


def signed_in_page(request, identity):
    """A phone-width page already signed in as ``identity`` (the session cookie copied)."""
    open_page, base_url = request.getfixturevalue("new_page"), request.getfixturevalue("site")
    client = Client()
    client.force_login(identity.user)
    page = open_page(viewport=PHONE)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )
    return page


def check_page(page, where: str, found: list) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), where
    found += [(where, v) for v in run_axe(page) if v["impact"] in BLOCKING]


def test_apply_journey_on_a_phone(request, tmp_path):
    request.getfixturevalue("site")  # the live server, with the reference data committed
    identity = f.applicant()
    item = f.item()
    page = signed_in_page(request, identity)
    found: list = []

    page.goto(f"/items/{item.implementation_code}/apply/")
    check_page(page, "apply", found)
    page.get_by_role("button", name="开始申办").click()
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))

    spouse = page.get_by_label("配偶姓名")
    assert not spouse.is_visible()  # asked only when married
    page.get_by_role("radio", name="是").check()
    assert spouse.is_visible()
    page.get_by_label("家庭人口").fill("三口人")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="保存并继续").click()
    summary = page.locator(".error-summary")
    assert "“家庭人口”须为数字。" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    check_page(page, "form with errors", found)
    summary.get_by_role("link", name="“家庭人口”须为数字。").click()
    assert page.evaluate("document.activeElement.id") == "id_form.household_size"

    page.get_by_label("家庭人口").fill("3")
    page.get_by_label("配偶姓名").fill("李四")
    page.get_by_role("radio", name="邮寄送达").check()
    assert page.get_by_label("邮寄地址").is_visible()  # asked only for delivery by post
    page.get_by_role("radio", name="电子送达").check()
    assert not page.get_by_label("邮寄地址").is_visible()
    page.get_by_role("button", name="保存并继续").click()
    page.wait_for_url(re.compile(r"/materials/"))
    check_page(page, "materials", found)
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(blank_pdf())
    for name in ("申请书", "房屋租赁合同"):
        page.get_by_label(f"上传文件：{name}").set_input_files(str(pdf))
        click_and_follow(page, page.get_by_role("button", name=re.compile(rf"^上传\s*：{name}$")))
    click_and_follow(page, page.get_by_role("link", name="继续：核对并提交"))
    check_page(page, "check", found)
    assert "李四" in page.content()
    page.get_by_role("button", name="确认并提交申请").click()
    page.wait_for_url(re.compile(r"/done/"))
    check_page(page, "done", found)

    case = Case.objects.get(item=item)
    assert case.number in page.content()
    page.goto(case.get_absolute_url())
    check_page(page, "case", found)
    for path in ("/my/cases/", "/my/messages/", "/my/materials/", "/progress/"):
        page.goto(path)
        check_page(page, path, found)
    assert not found, describe_violations(found)
