"""axe-core (vendored in static/vendor) finds no serious or critical violations.

The halls, the sign-in page (with and without errors) and the workbench home are
checked at desktop width and at 390 px, each with and without elder mode, because larger
text and a narrow screen are where contrast, overlap and target-size problems appear.
A last test makes sure a broken page really fails the check.
"""

import pytest

from tests.browser.helpers import (
    AXE_PATH,
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    run_axe,
    sign_in,
)
from tests.factories import DEFAULT_PASSWORD, StaffPostFactory

pytestmark = pytest.mark.browser

# The pages every mode checks (the brief's list), and pages of the same templates that
# are checked at normal text size only, to keep the run short.
PAGES = {
    "main hall": "/",
    "city branch hall": "/halls/440700/",
    "county branch hall": "/halls/440703/",
    "workbench login": "/workbench/login/",
}
MORE_PAGES = {
    "town station": "/halls/440703101/",
    "village point": "/halls/440703101001/",
    "section page": "/halls/440700/personal/",
    "not found": "/halls/999999/",
    "registration (its tick links the documents)": "/account/register/",
    "用户服务协议": "/account/legal/terms/",
    "个人信息保护说明": "/account/legal/privacy/",
}
BLOCKING = {"serious", "critical"}


def blocking_violations(page, where: str) -> list[tuple[str, dict]]:
    return [(where, v) for v in run_axe(page) if v["impact"] in BLOCKING]


@pytest.mark.parametrize(
    ("viewport", "elder"),
    [(DESKTOP, False), (PHONE, False), (DESKTOP, True), (PHONE, True)],
    ids=["desktop", "phone", "desktop-elder", "phone-elder"],
)
def test_no_serious_or_critical_axe_violations(new_page, viewport, elder):
    page = new_page(viewport=viewport, elder=elder)
    pages = PAGES if elder else PAGES | MORE_PAGES
    found = []
    for name, path in pages.items():
        page.goto(path)
        found += blocking_violations(page, f"{name} {path}")

    # A failed sign-in (the error summary), then the workbench home of a signed-in clerk.
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill("nobody")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("alert").wait_for()
    found += blocking_violations(page, "workbench login with errors")

    post = StaffPostFactory()
    sign_in(page, post.user.username, DEFAULT_PASSWORD)
    found += blocking_violations(page, "workbench home /workbench/")

    assert not found, "axe-core violations:\n" + describe_violations(found)


def test_axe_reports_violations_it_is_given(browser):
    """Guard against a silently broken axe run: a bad page must fail the check."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="zh-Hans"><head><title>测试</title></head><body><main id="main">'
            '<h1>测试</h1><input type="text"><p style="color:#eee">低对比度</p>'
            "</main></body></html>"
        )
        page.add_script_tag(path=str(AXE_PATH))
        found = [("doctored page", v) for v in axe_violations(page) if v["impact"] in BLOCKING]
    finally:
        page.close()
    assert {"label", "color-contrast"} <= {v["id"] for _, v in found}
    message = describe_violations(found)
    assert "doctored page: color-contrast (serious)" in message
    assert "    ['p']: Fix any of the following" in message
