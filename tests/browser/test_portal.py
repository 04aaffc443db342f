"""User journeys through the public halls and the staff sign-in, in a real browser."""

from urllib.parse import urlparse

import pytest

from govhall.regions.models import Region
from tests.browser.helpers import PHONE
from tests.factories import DEFAULT_PASSWORD, StaffPostFactory, UserFactory

pytestmark = pytest.mark.browser

JIANGMEN_COUNTIES = ["蓬江区", "江海区", "新会区", "台山市", "开平市", "鹤山市", "恩平市"]


def root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def section_links(page, heading: str):
    section = page.locator("section", has=page.get_by_role("heading", name=heading))
    return section.get_by_role("link")


def test_main_hall_links_to_all_21_city_branch_halls(page):
    page.goto("/")

    assert page.get_by_role("heading", level=1).inner_text() == "广东省网上办事大厅"
    cities = Region.objects.filter(parent_id="440000").order_by("code")
    assert cities.count() == 21
    links = section_links(page, "各地市分厅")
    assert links.all_inner_texts() == [city.name for city in cities]
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [f"/halls/{city.code}/" for city in cities]


def test_static_assets_and_cjk_font_are_applied(page):
    """CSS and the vendored htmx come through the live server's static handler (DEBUG is
    off in tests), and Chinese is drawn with a real CJK font (Noto Sans CJK), not boxes."""
    assert page.goto("/static/css/govhall.css").ok
    page.goto("/")
    background = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(179, 0, 27)"
    page.wait_for_function("() => typeof htmx === 'object'")
    assert page.evaluate("htmx.version").startswith("2.0.")

    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    heading = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]
    assert any("CJK" in font["familyName"] for font in fonts), fonts


def test_click_through_to_the_jiangmen_branch_hall(page):
    page.goto("/")
    section_links(page, "各地市分厅").filter(has_text="江门市").click()

    page.wait_for_url("**/halls/440700/")
    assert "江门" in page.get_by_role("heading", level=1).inner_text()
    assert section_links(page, "县（市、区）分厅").all_inner_texts() == JIANGMEN_COUNTIES
    breadcrumb = page.get_by_role("navigation", name="当前位置")
    assert breadcrumb.get_by_role("link", name="广东省").get_attribute("href") == "/"
    assert page.get_by_role("listitem").filter(has_text="江门市民政局").count() == 1


def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(page):
    page.goto("/halls/440700/")

    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href'),"
        " top: document.activeElement.getBoundingClientRect().top})"
    )
    assert focused["text"] == "跳到主要内容"
    assert focused["href"] == "#main"
    assert focused["top"] >= 0, "the focused skip link must be visible on screen"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    # The next Tab continues inside main, and the focused link is clearly marked.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    focus_background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert focus_background == "rgb(255, 191, 71)"


def test_elder_mode_enlarges_text_and_persists_across_pages(page):
    page.goto("/")
    normal = root_font_px(page)
    toggle = page.get_by_role("button", name="长者模式", exact=True)
    assert toggle.get_attribute("aria-pressed") == "false"

    toggle.click()
    leave = page.get_by_role("button", name="退出长者模式")
    leave.wait_for()
    assert leave.get_attribute("aria-pressed") == "true"
    assert root_font_px(page) > normal * 1.2
    assert urlparse(page.url).path == "/", "the toggle returns to the page it was used on"

    section_links(page, "各地市分厅").filter(has_text="江门市").click()
    page.wait_for_url("**/halls/440700/")
    assert root_font_px(page) > normal * 1.2, "elder mode must persist on the next page"

    page.get_by_role("button", name="退出长者模式").click()
    page.get_by_role("button", name="长者模式", exact=True).wait_for()
    assert urlparse(page.url).path == "/halls/440700/"
    assert root_font_px(page) == normal


def test_no_horizontal_scrolling_at_390px(new_page):
    for elder in (False, True):
        page = new_page(viewport=PHONE, elder=elder)
        for path in ["/", "/halls/440700/", "/halls/440703/", "/workbench/login/"]:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            mode = "elder mode" if elder else "normal"
            assert width <= PHONE["width"], f"{path} ({mode}) scrolls sideways: {width}px wide"


def test_staff_sign_in_shows_the_workbench(page):
    post = StaffPostFactory(user=UserFactory(username="jm_clerk_test", display_name="陈敏"))
    page.goto("/")
    page.get_by_role("link", name="工作人员登录").click()
    page.wait_for_url("**/workbench/login/")

    # A wrong password first: an error summary, and the user stays on the sign-in page.
    page.get_by_label("用户名").fill(post.user.username)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    alert = page.get_by_role("alert")
    assert alert.get_by_role("heading").inner_text() == "登录未成功"
    assert urlparse(page.url).path == "/workbench/login/"

    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url("**/workbench/")
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"
    posts_table = page.get_by_role("table")
    assert "江门市行政服务中心" in posts_table.inner_text()
    assert page.get_by_role("button", name="退出").is_visible()
