"""Issue #17 point 8 at 390 px: the guide's six-column materials table reads as one card
per material (no column one or two characters wide), and on the search page every filter
— the search form's 筛选条件 and the 按条件缩小范围 facets — comes before the first result.
In elder mode too, and without horizontal scrolling."""

import pytest

from govhall.cases.tests import factories as f
from tests.browser.helpers import PHONE

pytestmark = pytest.mark.browser
NAME = "最低生活保障审核确认"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_materials_table_and_search_filters_at_390_px(new_page, site, elder):
    item = f.item(f.dept_like("民政", "440703"), name=NAME)
    page = new_page(viewport=PHONE, elder=elder)

    page.goto(item.get_absolute_url())
    table = page.locator("table.materials-table")
    assert table.is_visible() and no_horizontal_scroll(page)
    cells = table.locator("tbody td")
    assert cells.count() >= 6
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('table.materials-table td')).fontSize)"
    )
    widths = [cells.nth(i).bounding_box()["width"] for i in range(cells.count())]
    # every cell at least six characters wide (the squeezed table gave ~2 to 3)
    assert min(widths) >= 6 * font, (widths, font)
    # each value keeps its column's name beside it
    label = cells.nth(1).evaluate("e => getComputedStyle(e, '::before').content")
    assert "材料名称" in label

    page.goto(f"/search/?region=440703&q={NAME}")
    assert no_horizontal_scroll(page)
    first = page.locator(".result-list > li").first
    assert first.is_visible()
    first_top = first.bounding_box()["y"]
    filters = page.get_by_role("group", name="筛选条件")
    facets = page.get_by_role("complementary", name="按条件缩小范围")
    assert filters.is_visible() and facets.is_visible()
    box = filters.bounding_box()
    assert box["y"] + box["height"] <= first_top
    box = facets.bounding_box()
    assert box["y"] + box["height"] <= first_top
    # and in the page order too (what a screen reader and the keyboard meet first)
    assert page.evaluate(
        """() => {
          const facets = document.querySelector('.facets');
          const first = document.querySelector('.result-list > li');
          return !!(facets.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
