"""Journey (issue #15 points 7 and 8): a search lists the same basic item once, the chosen
region's implementation first, with the other regions' to pick from; the region is part
of the search form, under a 筛选条件 that shows its filters. The API keeps the flat list
behind ``flat=true``."""

import pytest

from govhall.cases.tests import factories as f
from tests.browser.case_helpers import text_of
from tests.browser.helpers import PHONE, click_and_follow

pytestmark = pytest.mark.browser
NAME = "低收入家庭认定"


def test_search_groups_the_same_item_across_regions_own_region_first(new_page, site):
    first = f.item(f.dept_like("民政", "440703"), name=NAME)
    jianghai = f.item(f.dept_like("民政", "440704"), name=NAME, basic_code=first.basic_code)
    xinhui = f.item(f.dept_like("民政", "440705"), name=NAME, basic_code=first.basic_code)
    assert first.basic_code == jianghai.basic_code == xinhui.basic_code

    page = new_page(viewport=PHONE)
    page.goto(f"/search/?region=440704&q={NAME}")
    results = page.locator(".result-list > li")
    assert results.count() == 1
    assert text_of(page.get_by_role("status")) == "找到1个事项"
    lead = results.first
    assert jianghai.department.name in text_of(lead.locator(".result-meta"))
    assert lead.get_by_role("link", name=NAME).get_attribute("href") == jianghai.get_absolute_url()
    lead.locator("summary", has_text="其他地区办理（2个）").click()
    others = lead.locator(".result-regions li")
    assert [text_of(o.get_by_role("link")) for o in others.all()] == ["蓬江区", "新会区"]
    click_and_follow(page, others.get_by_role("link", name="新会区"))
    assert page.url.endswith(xinhui.get_absolute_url())

    # The region and the other filters sit in the search form, shown under 筛选条件.
    page.goto(f"/search/?region=440704&q={NAME}")
    form = page.get_by_role("search")
    filters = form.get_by_role("group", name="筛选条件")
    assert filters.get_by_label("服务对象").is_visible()
    assert filters.get_by_label("办事地区").input_value() == "440704"
    assert page.locator("form.region-switch").count() == 0
    filters.get_by_label("办事地区").select_option("440700")
    click_and_follow(page, form.get_by_role("button", name="搜索", exact=True))
    assert "region=440700" in page.url and page.locator(".result-list > li").count() == 1

    # The API lists one result per basic item; flat=true lists every implementation.
    api = page.request.get(f"{site}/api/v1/items/?q={NAME}&region=440700").json()
    assert api["count"] == 1
    flat = page.request.get(f"{site}/api/v1/items/?q={NAME}&region=440700&flat=true").json()
    assert flat["count"] == 3
    codes = {row["implementation_code"] for row in flat["results"]}
    assert codes == {
        first.implementation_code,
        jianghai.implementation_code,
        xinhui.implementation_code,
    }
