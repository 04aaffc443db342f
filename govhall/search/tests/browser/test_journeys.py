"""The catalogue journeys in a real browser (Debian chromium via Playwright) with axe-core.

* search 营业执照 or "yyzz" and land on the business-licence guide;
* answer the "open a restaurant" questions and get the exact items and materials;
* the search, guide, browse and navigation pages have no serious or critical axe
  violations and do not scroll sideways at 390 px.
"""

import re

import pytest

from tests.browser.helpers import DESKTOP, PHONE, click_and_follow, describe_violations, run_axe

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}
LICENCE = "企业设立登记（营业执照核发）"


def check_page(page, where: str, problems: list) -> None:
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    problems.extend((where, v) for v in violations)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{where}: page scrolls sideways by {overflow}px"


def test_search_lands_on_the_business_licence_guide(demo, new_page):
    page = new_page(viewport=PHONE)
    problems: list = []
    for query in ("营业执照", "yyzz"):
        page.goto("/search/?region=440700")
        page.get_by_label("搜索服务事项").fill(query)
        page.get_by_role("button", name="搜索", exact=True).click()
        page.wait_for_url("**/search/?*")
        assert page.get_by_role("status").inner_text().startswith("找到")
        check_page(page, f"search {query} (390px)", problems)
        first = page.locator(".result-title a").first
        assert first.inner_text() == LICENCE
        first.click()
        page.wait_for_url("**/items/**")
        assert "营业执照" in page.get_by_role("heading", level=1).inner_text()
    check_page(page, "business-licence guide (390px)", problems)
    assert not problems, describe_violations(problems)


def test_open_a_restaurant_scenario_gives_items_and_materials(demo, new_page):
    page = new_page(viewport=PHONE)
    problems: list = []
    page.goto("/scenarios/open-a-restaurant-jiangmen/")
    check_page(page, "scenario question (390px)", problems)
    answers = [
        "新设立公司（有限责任公司等）",
        "300平方米以下",
        "是",  # cold food
        "否",  # alcohol
        "否",  # tobacco
        "是",  # sign
        "是",  # staff
    ]
    for answer in answers:
        page.get_by_label(answer, exact=True).check()
        click_and_follow(page, page.get_by_role("button", name="下一步"))
    assert page.get_by_role("heading", level=1).inner_text() == "您需要办理的事项"
    items = page.locator(".scenario-item h3").all_inner_texts()
    assert LICENCE in items
    assert "食品经营许可证核发（新办）" in items
    assert "户外广告设施和招牌设置审批" in items
    assert "用人单位社会保险登记" in items
    assert "酒类零售许可" not in items and "烟草专卖零售许可证核发" not in items
    text = page.locator("main").inner_text()
    assert "专间设置及操作流程说明" in text  # cold food → the room material
    assert "无需提交，由大厅调取" in text
    check_page(page, "scenario result (390px)", problems)
    # changing an answer goes back to that question
    click_and_follow(page, page.get_by_role("link", name=re.compile("修改.*是否销售酒类")))
    assert page.get_by_role("heading", level=1).inner_text() == "是否销售酒类？"
    # going on without choosing explains what is missing
    page.get_by_role("button", name="下一步").click()
    assert "请选择一项后再继续" in page.get_by_role("alert").inner_text()
    check_page(page, "scenario error (390px)", problems)
    assert not problems, describe_violations(problems)


def test_browse_pages_pass_axe(demo, new_page):
    problems: list = []
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport)
        for path in (
            "/search/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7&region=440700",
            "/themes/?region=440700",
            "/themes/c01/?region=440700",
            "/audiences/person/?region=440703",
            "/departments/?region=440700",
            "/life-events/",
            "/life-events/opening-a-restaurant/?region=440700",
            "/scenarios/",
        ):
            page.goto(path)
            check_page(page, f"{path} ({viewport['width']}px)", problems)
    assert not problems, describe_violations(problems)
