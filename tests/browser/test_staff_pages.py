"""The staff side and the small things of issue #15, in a real browser: one family of
Chinese error pages (DEBUG on too), breadcrumbs of concluded cases, the workbench home,
monitoring, the counter receipt and the header and titles."""

from __future__ import annotations

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
