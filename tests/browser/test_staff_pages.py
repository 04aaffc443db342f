"""The staff side and the small things of issue #15, in a real browser: one family of
Chinese error pages (DEBUG on too), breadcrumbs of concluded cases, the workbench home,
monitoring, the counter receipt and the header and titles."""

from __future__ import annotations

import re

import pytest

from govhall.cases.models import Case, CaseState
from govhall.cases.tests import factories as f
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    journey_settings,  # noqa: F401  (fixture)
    staff_page,
    text_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]


def test_error_pages_are_chinese_with_debug_on(page, settings):
    """``make run`` has DEBUG on: an unknown address shows the hall's 404, not Django's
    English technical page (which stays available with GOVHALL_DEBUG_ERROR_PAGES)."""
    settings.DEBUG = True
    settings.GOVHALL_DEBUG_ERROR_PAGES = False
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert text_of(page.locator("main h1")) == "页面不存在"
    assert page.title().startswith("页面不存在 - ")
    assert "Page not found" not in page.content()
    assert page.get_by_role("link", name="返回主厅首页").count() == 1
    # A hall that does not exist: the same page, saying which code.
    page.goto("/halls/999999999/")
    assert text_of(page.locator("main h1")) == "页面不存在"

    settings.GOVHALL_DEBUG_ERROR_PAGES = True
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert "Page not found" in page.content()


def test_concluded_case_breadcrumb_leads_to_department_cases(new_page, site):
    case = f.submitted(f.item(f.department("江门市民政局")))
    Case.objects.filter(pk=case.pk).update(state=CaseState.CONCLUDED)
    clerk = f.staff(Post.CLERK, case.item_version.item.department)
    desk = staff_page(new_page, clerk)
    desk.goto(f"/workbench/cases/{case.number}/")
    crumbs = desk.locator("nav.breadcrumb li")
    assert crumbs.all_inner_texts() == ["本部门全部办件", case.number]
    assert crumbs.first.locator("a").get_attribute("href") == "/workbench/cases/all/"


def _month_start(months_back: int):
    from govhall.monitoring.views.staff.params import add_months, this_month

    return add_months(this_month(), -months_back)


def test_monitoring_opens_on_the_last_complete_month_with_names_and_true_legend(new_page, site):
    from govhall.monitoring.tests.records import at, case
    from govhall.records.models import ProcessRecord
    from govhall.records.sources import DEMO as DEMO_SOURCE
    from tests.browser.test_monitoring_dashboard import CHAOZHOU, chaozhou_june

    supervisor = chaozhou_june()
    last, current = _month_start(1), _month_start(0)
    numbers = [
        case("CZ-LAST", CHAOZHOU, concluded=at(last.year, last.month, 20), source=DEMO_SOURCE),
        case("CZ-NOW", CHAOZHOU, concluded=at(current.year, current.month, 1, 9)),
    ]
    for number in numbers:  # the item is not in this catalogue: its name is in the records
        for row in ProcessRecord.objects.filter(case_number=number):
            row.payload = {**row.payload, "item_name": "城乡居民最低生活保障待遇审核"}
            row.save(update_fields=["payload"])
    page = staff_page(new_page, supervisor)
    page.goto("/workbench/monitoring/")
    page.wait_for_url(f"**/workbench/monitoring/regions/{CHAOZHOU}/")
    assert f"统计月份 {last:%Y-%m}" in text_of(page.locator("main p.lead"))
    # The next month is the current one; from there, nothing further.
    page.get_by_role("link", name="下一月").click()
    assert f"统计月份 {current:%Y-%m}" in text_of(page.locator("main p.lead"))
    assert page.get_by_role("link", name="下一月").count() == 0
    assert page.get_by_role("link", name="上一月").count() == 1

    # The cases behind the figure: item names, the source in words.
    page.goto(
        f"/workbench/monitoring/regions/{CHAOZHOU}/behind/?indicator=online_apply"
        f"&part=denominator&scope=departments&month={last:%Y-%m}&item_type=all"
    )
    row = page.locator("#behind-table tbody tr", has_text="CZ-LAST")
    assert text_of(row.locator("td[data-label=事项]")) == "城乡居民最低生活保障待遇审核"
    assert text_of(row.locator("td[data-label=来源]")) == "演示数据（模拟报送）"

    # June 2017 has green (met) and red (below) bars: each legend entry's swatch is the
    # series colour, and no bar paints over it with another colour.
    page.goto(f"/workbench/monitoring/regions/{CHAOZHOU}/?month=2017-06")
    page.locator("#units-chart svg").first.wait_for()
    series = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('units-chart'))
                 .getOption().series.filter(s => s.type === 'bar')
                 .map(s => ({name: s.name, colour: s.itemStyle.color,
                             others: s.data.filter(d => d && d.itemStyle).length}))"""
    )
    colours = {s["name"]: s["colour"] for s in series}
    assert colours["上网办理率（达到目标）"] == "#125b2c"
    assert colours["上网办理率（未达目标）"] == "#b3001b"
    assert all(s["others"] == 0 for s in series)


def test_counter_receipt_actions_have_no_bullets_and_do_not_overlap(new_page, site):
    from tests.browser.helpers import PHONE

    centre = f.department("江门市行政服务中心")
    case = f.submitted(f.item(centre))
    clerk = f.staff(Post.CLERK, centre)
    for viewport in (None, PHONE):
        desk = staff_page(new_page, clerk, viewport=viewport)
        desk.goto(f"/workbench/counter/taken/{case.number}/")
        actions = desk.locator("main ul.actions")
        assert actions.evaluate("e => getComputedStyle(e).listStyleType") == "none"
        first, second = (li.bounding_box() for li in actions.locator("li").all())
        assert first["x"] >= actions.bounding_box()["x"]  # no marker hanging outside
        overlap_x = min(first["x"] + first["width"], second["x"] + second["width"]) - max(
            first["x"], second["x"]
        )
        overlap_y = min(first["y"] + first["height"], second["y"] + second["height"]) - max(
            first["y"], second["y"]
        )
        assert overlap_x <= 0 or overlap_y <= 0


def test_titles_header_order_and_a_compact_phone_header(new_page, site):
    from tests.browser.case_helpers import citizen_page
    from tests.browser.helpers import PHONE

    page = new_page()
    page.goto("/account/login/")
    assert page.title() == "登录 - 广东政务服务网"  # the site's name, not the server's address
    page.goto("/workbench/login/")
    assert page.title().endswith(" - 广东政务服务网")

    citizen = f.applicant(name="欧阳志明")  # a four-character name: the longest common
    citizen.user.display_name = "欧阳志明"
    citizen.user.save(update_fields=["display_name"])
    page = citizen_page(new_page, site, citizen)
    page.goto("/account/")
    tools = [
        text_of(t).replace(" ", "")
        for t in page.locator(".header-tools > a, .header-tools button").all()
    ]
    name = str(citizen.user)
    # The person's pages, then whose account (with a separator), then sign-out last.
    assert tools == ["长者模式", "个人网页", "我的办件", "消息", f"我的账号：{name}", "退出"]

    for elder, url, limit in [(False, "/account/", 110), (True, "/", PHONE["height"] / 3)]:
        phone = citizen_page(new_page, site, citizen, viewport=PHONE)
        if elder:
            phone.context.add_cookies([{"name": "govhall_elder", "value": "1", "url": site}])
        phone.goto(url)
        height = phone.locator("header.site-header").bounding_box()["height"]
        assert height <= limit, (elder, url, height)
        # Every header control is still there and reachable (no sideways scroll).
        assert phone.get_by_role("button", name="退出", exact=True).is_visible()
        account = phone.locator("a.account-link")
        assert account.is_visible(), account.evaluate("e => e.getBoundingClientRect().toJSON()")
        spoken = re.compile(rf"^我的账号：\s?{name}$")  # the label stays for screen readers
        assert phone.get_by_role("link", name=spoken).count() == 1
        assert phone.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
