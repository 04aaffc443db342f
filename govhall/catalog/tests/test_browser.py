"""Browser journeys of the catalogue: the guide (390 px, PDF, axe) and the editorial desk.

Debian's chromium through Playwright against the live server (fixtures shared with
tests/browser, imported in this folder's conftest). Every page visited is checked
with the vendored axe-core.
"""

import pytest

from govhall.catalog.models import Item, ItemVersion
from tests.browser.helpers import PHONE, click_and_follow, describe_violations, run_axe, sign_in
from tests.factories import DEFAULT_PASSWORD

from .factories import editor, marriage_scenario, published_item, reviewer

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}


def _axe(page, where: str) -> list:
    return [(where, v) for v in run_axe(page) if v["impact"] in BLOCKING]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_guide_at_390px_with_pdf(restore_reference_data, new_page, site):
    item = published_item()
    page = new_page(viewport=PHONE)
    page.goto(item.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "内地居民婚姻登记"
    bring = page.get_by_role("heading", name="需要您提交的材料")
    assert bring.is_visible()
    assert page.get_by_text("调取电子证照“居民身份证”").is_visible()
    assert _fits(page), "the guide scrolls sideways at 390 px"
    found = _axe(page, "guide 390px")
    pdf = page.request.get(
        page.get_by_role("link", name="打印/下载办事指南（PDF）").get_attribute("href")
    )
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    assert not found, describe_violations(found)


def test_editor_reviewer_journey_in_the_browser(restore_reference_data, new_page, site):
    item = published_item()
    author, checker = editor(), reviewer()
    found = []

    page = new_page(viewport=PHONE)
    sign_in(page, author.username, DEFAULT_PASSWORD)
    page.goto(f"/workbench/catalog/items/{item.implementation_code}/")
    found += _axe(page, "item page")
    page.get_by_label("变更说明").fill("调整办理时间")
    page.get_by_role("button", name="新建版本").click()
    page.get_by_label("办理时间").fill("周一至周六 9:00-17:00")
    found += _axe(page, "editor")
    assert _fits(page), "the editor scrolls sideways at 390 px"
    # A contradiction first: depth 4 with one visit is refused with the rule.
    page.get_by_label("网上办理深度").select_option("4")
    page.get_by_role("button", name="保存草稿").click()
    summary = page.get_by_role("alert")
    assert "到现场次数必须为0" in summary.inner_text()
    found += _axe(page, "editor with errors")
    page.get_by_label("网上办理深度").select_option("2")
    page.get_by_role("button", name="保存并提交审查").click()
    page.get_by_text("已提交审查。").wait_for()
    draft = item.versions.get(number=2)
    assert draft.state == ItemVersion.State.SUBMITTED

    page = new_page(viewport=PHONE)
    sign_in(page, checker.username, DEFAULT_PASSWORD)
    page.goto(f"/workbench/catalog/versions/{draft.pk}/")
    found += _axe(page, "review page")
    page.get_by_label("审查意见").fill("周六办理须有排班依据，请修改")
    page.get_by_role("button", name="退回修改").click()
    page.get_by_text("已退回修改。").wait_for()

    page = new_page(viewport=PHONE)
    sign_in(page, author.username, DEFAULT_PASSWORD)
    page.goto("/workbench/catalog/")
    click_and_follow(page, page.get_by_role("link", name="内地居民婚姻登记").first)
    assert page.get_by_text("周六办理须有排班依据，请修改").is_visible()
    page.get_by_role("button", name="按审查意见修改（新建版本）").click()
    page.get_by_label("办理时间").fill("周一至周五 8:30-17:30")
    page.get_by_role("button", name="保存并提交审查").click()
    page.get_by_text("已提交审查。").wait_for()
    fixed = item.versions.get(number=3)

    page = new_page(viewport=PHONE)
    sign_in(page, checker.username, DEFAULT_PASSWORD)
    page.goto(f"/workbench/catalog/versions/{fixed.pk}/")
    page.get_by_label("合法性审查通过").check()
    page.get_by_label("合规性审查通过").check()
    page.get_by_role("button", name="审查通过").click()
    page.get_by_text("审查通过，可以发布。").wait_for()
    page.get_by_role("button", name="发布").click()
    page.get_by_text("已发布，新版本即时生效。").wait_for()
    page.goto(f"/workbench/catalog/items/{item.implementation_code}/diff/?from=1&to=3")
    assert "周一至周五 8:30-17:30" in page.get_by_role("table").inner_text()
    found += _axe(page, "diff")

    page.goto(f"/items/{item.implementation_code}/v1/")
    assert page.get_by_text("这是历史版本（第1版）").is_visible()
    page.goto(item.get_absolute_url())
    assert page.get_by_text("周一至周五 8:30-17:30").is_visible()
    assert Item.objects.get(pk=item.pk).current_id == fixed.pk
    assert not found, describe_violations(found)


def test_other_desk_pages_pass_axe_at_390px(restore_reference_data, new_page, site):
    from govhall.catalog.services import scenarios

    item = published_item()
    scenarios.save_scenario(marriage_scenario(item))
    checker = reviewer()
    page = new_page(viewport=PHONE)
    sign_in(page, checker.username, DEFAULT_PASSWORD)
    found, wide = [], []
    for path in [
        "/workbench/catalog/",
        "/workbench/catalog/items/new/",
        "/workbench/catalog/import/",
        "/workbench/catalog/rates/?region=440700",
        "/workbench/catalog/scenarios/",
        "/workbench/catalog/scenarios/get-married/",
        f"/workbench/catalog/items/{item.implementation_code}/manual/",
        f"/workbench/catalog/versions/{item.current_id}/",
    ]:
        response = page.goto(path)
        assert response.ok, path
        found += _axe(page, path)
        if not _fits(page):
            wide.append(path)
    assert not wide, f"pages scrolling sideways at 390 px: {wide}"
    assert not found, describe_violations(found)
