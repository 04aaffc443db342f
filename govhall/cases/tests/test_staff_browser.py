"""The case desk and the counter in chromium: no serious axe-core violations and no
sideways scrolling at 390 px, including a case page showing a refusal."""

import pytest

from govhall.cases.services import counter as counter_service
from govhall.cases.tests import factories as f
from tests.browser.helpers import DESKTOP, PHONE, describe_violations, run_axe, sign_in
from tests.factories import DEFAULT_PASSWORD

from .staff_support import civil_affairs, clerk

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("desk")]
BLOCKING = {"serious", "critical"}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_case_desk_and_counter_pages_are_accessible(new_page, viewport):
    dept = civil_affairs()
    item = f.item(dept)
    case = f.submitted(item, f.applicant(name="林小英"))
    window = clerk(dept)
    person = f.applicant(name="陈阿婆").person
    centre = counter_service.counter_departments(window)[0]
    assert centre == dept

    page = new_page(viewport=viewport)
    sign_in(page, window.username, DEFAULT_PASSWORD)
    found, wide = [], []

    def check(where: str) -> None:
        found.extend((where, v) for v in run_axe(page) if v["impact"] in BLOCKING)
        if viewport is PHONE and overflow(page) > 0:
            wide.append(where)

    page.goto("/workbench/cases/")
    check("inbox")
    page.goto("/workbench/cases/all/")
    check("department cases")
    page.goto(f"/workbench/cases/{case.number}/")
    check("case page")
    page.locator("#action-reject summary").click()
    page.locator("#action-reject button[type=submit]").click()
    page.get_by_role("alert").wait_for()
    assert "不予受理必须说明理由。" in page.locator(".error-summary").inner_text()
    check("case page with a refusal")

    page.goto("/workbench/counter/")
    page.get_by_label("身份证号码").first.fill(person.id_number)
    page.get_by_role("button", name="查找", exact=True).click()
    page.get_by_text("陈阿婆").first.wait_for()
    check("counter")
    page.goto(f"/workbench/counter/items/{item.implementation_code}/")
    page.get_by_role("button", name="提交收件").click()
    page.get_by_role("alert").wait_for()
    check("counter intake with errors")

    assert not found, "axe-core violations:\n" + describe_violations(found)
    assert not wide, f"pages wider than 390 px: {wide}"
