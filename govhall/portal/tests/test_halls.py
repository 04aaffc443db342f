"""The portal shell: one home page per hall, the way up and down, sections, 404 and 503."""

import pytest

from govhall.portal import services
from govhall.regions.models import Department, Hall, Region

from .html import links, scoped, text

pytestmark = pytest.mark.django_db


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def child_links(html: str) -> list[tuple[str, str]]:
    return links(html, aria_labelledby="halls-title")


def crumbs(html: str) -> list[tuple[str, str]]:
    return links(html, tag="nav", aria_label="当前位置")


def current_crumb(html: str) -> str:
    return text(html, tag="li", aria_current="page")


def test_main_hall_shows_the_province_and_its_21_city_branch_halls(client):
    html = get(client, "/")
    assert text(html, tag="h1") == "广东省网上办事大厅"
    halls = child_links(html)
    assert len(halls) == 21
    cities = Region.objects.filter(parent_id="440000").order_by("code")
    assert halls == [(f"/halls/{c.code}/", c.name) for c in cities]
    assert "各地市分厅" in text(html, id="halls-title")
    assert "（21）" in text(html, id="halls-title")
    assert 'aria-label="当前位置"' not in html  # the main hall is the top: no breadcrumb
    facts = text(html, aria_labelledby="facts-title")
    assert "市级 21" in facts and "县级 122" in facts and "村居 2382" in facts


def test_main_hall_lists_the_province_departments(client):
    html = get(client, "/")
    listed = text(html, aria_labelledby="departments-title")
    expected = Department.objects.current().filter(region_id="440000").count()
    assert f"（{expected}）" in listed
    assert "广东省政务服务数据管理局" in listed and "江门市民政局" not in listed
    # Each department links to its items.
    data_bureau = Department.objects.get(region_id="440000", name="广东省政务服务数据管理局")
    assert (f"/departments/{data_bureau.credit_code}/", data_bureau.name) in links(
        html, aria_labelledby="departments-title"
    )


def test_bodies_abolished_in_the_2018_reform_are_kept_but_not_listed(client):
    """国税 and 地税 merged, 监察厅 became 监察委员会: the old bodies stay (old cases name
    them) with their end date and successor; the hall lists today's bodies."""
    html = get(client, "/")
    listed = text(html, aria_labelledby="departments-title")
    for old, new in [
        ("广东省地方税务局", "国家税务总局广东省税务局"),
        ("广东省国家税务局", "国家税务总局广东省税务局"),
        ("广东省监察厅", "广东省监察委员会"),
    ]:
        body = Department.objects.get(region_id="440000", name=old)
        assert body.is_abolished and body.successor.name == new
        assert body.successor.is_current()
        assert old not in listed and new in listed
    taxes = Department.objects.get(region_id="440000", name="广东省地方税务局")
    page = get(client, f"/departments/{taxes.credit_code}/")
    assert "该部门已于2018年6月15日撤销，职责由国家税务总局广东省税务局承接" in page


def test_city_branch_hall_links_to_its_counties_with_a_breadcrumb(client):
    html = get(client, "/halls/440700/")
    assert text(html, tag="h1") == "广东省网上办事大厅江门分厅"
    assert child_links(html) == [
        ("/halls/440703/", "蓬江区"),
        ("/halls/440704/", "江海区"),
        ("/halls/440705/", "新会区"),
        ("/halls/440781/", "台山市"),
        ("/halls/440783/", "开平市"),
        ("/halls/440784/", "鹤山市"),
        ("/halls/440785/", "恩平市"),
    ]
    assert "县（市、区）分厅" in text(html, id="halls-title")
    assert crumbs(html) == [("/", "广东省")]
    assert current_crumb(html) == "江门市"
    departments = text(html, aria_labelledby="departments-title")
    for name in ("江门市网络信息统筹局", "江门市行政服务中心", "江门市民政局"):
        assert name in departments


def test_dongguan_branch_hall_links_straight_to_its_towns(client):
    html = get(client, "/halls/441900/")
    towns = Region.objects.filter(parent_id="441900").count()
    assert len(child_links(html)) == towns > 10
    assert "镇街网上办事站" in text(html, id="halls-title")


def test_county_hall_links_to_its_town_stations(client):
    html = get(client, "/halls/440781/")
    towns = list(Region.objects.filter(parent_id="440781").order_by("code"))
    assert child_links(html) == [(f"/halls/{t.code}/", t.name) for t in towns]
    assert "镇街网上办事站" in text(html, id="halls-title")
    assert crumbs(html) == [("/", "广东省"), ("/halls/440700/", "江门市")]
    assert current_crumb(html) == "台山市"
    assert "台山市政务服务中心" in text(html, aria_labelledby="departments-title")


def test_town_station_links_to_its_village_points_and_back_up(client):
    town = Region.objects.filter(parent_id="440781").order_by("code").first()
    html = get(client, f"/halls/{town.code}/")
    assert text(html, tag="h1") == f"{town.name}网上办事站"
    villages = list(town.children.order_by("code"))
    assert child_links(html) == [(f"/halls/{v.code}/", v.name) for v in villages]
    assert "村居网上办事点" in text(html, id="halls-title")
    assert crumbs(html) == [
        ("/", "广东省"),
        ("/halls/440700/", "江门市"),
        ("/halls/440781/", "台山市"),
    ]


def test_village_point_has_the_full_breadcrumb_and_no_halls_below(client):
    village = Region.objects.filter(code__startswith="445122", level="village").first()
    html = get(client, f"/halls/{village.code}/")
    assert text(html, tag="h1") == f"{village.name}网上办事点"
    assert [url for url, _ in crumbs(html)] == [
        "/",
        "/halls/445100/",
        "/halls/445122/",
        f"/halls/{village.parent_id}/",
    ]
    assert current_crumb(html) == village.name
    assert 'id="halls-title"' not in html
    assert "本级暂无进驻部门" in html


def test_main_hall_code_redirects_to_the_home_page(client):
    response = client.get("/halls/440000/")
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("code", ["999999", "abc", "44070"])
def test_unknown_hall_is_a_404_page_in_chinese(client, code):
    html = get(client, f"/halls/{code}/", status=404)
    assert text(html, tag="h1") == "页面不存在"
    assert f"没有区划代码为“{code}”的办事大厅。" in html
    assert ("/", "返回主厅首页") in links(html, tag="main")


def test_closed_hall_is_a_404(client):
    Hall.objects.filter(region_id="440783").update(is_active=False)
    get(client, "/halls/440783/", status=404)
    assert "/halls/440783/" not in [url for url, _ in child_links(get(client, "/halls/440700/"))]


def test_any_other_unknown_page_is_the_chinese_404(client):
    html = get(client, "/no-such-page/", status=404)
    assert "页面不存在" in html and "12345" in html


def test_navigation_sections_on_every_hall(client):
    html = get(client, "/halls/440700/")
    nav = scoped(html, tag="nav", aria_label="大厅导航").links
    assert [label for _, label, _ in nav] == [
        "首页",
        "个人办事",
        "法人办事",
        "部门服务",
        "办件查询",
        "互动交流",
        "效能监督",
    ]
    assert [a.get("aria-current") for _, _, a in nav] == ["page"] + [None] * 6
    assert nav[0][0] == "/halls/440700/"
    assert len(links(html, aria_labelledby="sections-title")) == 6
    # Every section carries the hall along (as /halls/<code>/... or ?region=<code>) and
    # answers: sections whose pages are not built yet show the portal's placeholder.
    for href, label, _ in nav[1:]:
        assert "440700" in href, (label, href)
        assert client.get(href).status_code == 200, (label, href)
    hrefs = dict((label, href) for href, label, _ in nav)
    assert hrefs["办件查询"] == "/progress/?region=440700"
    assert hrefs["互动交流"] == "/halls/440700/assistant/"
    assert hrefs["效能监督"] == "/supervision/?region=440700"


def test_section_page_marks_itself_current(client):
    html = get(client, "/halls/440781/progress/")
    assert text(html, tag="h1") == "办件查询"
    nav = scoped(html, tag="nav", aria_label="大厅导航").links
    current = [label for _, label, a in nav if a.get("aria-current") == "page"]
    assert current == ["办件查询"]
    assert crumbs(html)[-1] == ("/halls/440781/", "台山市")
    assert current_crumb(html) == "办件查询"
    main = get(client, "/halls/440000/supervision/")
    assert text(main, tag="h1") == "效能监督"


def test_unknown_section_is_a_404_with_a_way_back(client):
    html = get(client, "/halls/440700/nothing/", status=404)
    assert "没有这个栏目" in html
    assert ("/halls/440700/", "返回广东省网上办事大厅江门分厅首页") in links(html, tag="main")


def test_a_subsystem_can_point_a_section_at_its_own_view(monkeypatch):
    hall = Hall.objects.get(region_id="440700")
    by_code = services.Section("progress", "办件查询", "", url_name="portal:hall")
    assert by_code.url_for(hall) == "/halls/440700/"
    by_query = services.Section("x", "x", "", url_name="portal:home", region_in_query=True)
    assert by_query.url_for(hall) == "/?region=440700"
    with_kwargs = services.Section(
        "x", "x", "", url_name="portal:section", url_kwargs=(("slug", "progress"),)
    )
    assert with_kwargs.url_for(hall) == "/halls/440700/progress/"
    missing = services.Section("progress", "办件查询", "", url_name="cases:nope")
    assert missing.url_for(hall) == "/halls/440700/progress/"
    monkeypatch.setattr(services, "SECTIONS", [by_code])
    assert [i.url for i in services.navigation(hall)] == ["/halls/440700/", "/halls/440700/"]


def test_placeholder_section_pages_exist_for_every_section(client):
    for section in services.SECTIONS:
        html = get(client, f"/halls/440781/{section.slug}/")
        assert text(html, tag="h1") == str(section.title)


def test_search_box_searches_the_catalogue_within_the_hall(client):
    html = get(client, "/halls/440781/")
    form = scoped(html, tag="form", role="search")
    assert form.found
    url = services.search_url()
    assert url is not None  # the catalogue app provides catalog:search
    assert f'action="{url}"' in html
    assert '<input type="hidden" name="region" value="440781">' in html
    assert client.get(url, {"q": "营业执照", "region": "440781"}).status_code == 200


def test_hall_details_are_shown_when_filled_in(client):
    Hall.objects.filter(region_id="440700").update(
        address="江门市蓬江区建设三路", hotline="0750-12345", opening_hours="周一至周五"
    )
    html = get(client, "/halls/440700/")
    assert "江门市蓬江区建设三路" in html and 'href="tel:0750-12345"' in html


def test_hall_switch_goes_to_the_chosen_hall(client):
    html = get(client, "/halls/440703/")
    assert '<option value="440700" selected>' in html
    assert client.get("/halls/", {"code": "445100"})["Location"] == "/halls/445100/"
    assert client.get("/halls/", {"code": ""})["Location"] == "/"
    assert client.get("/halls/", {"code": "https://evil.example/"}).status_code == 404


def test_city_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get("/halls/440781/")


def test_home_explains_how_to_load_missing_reference_data(client, settings):
    settings.GOVHALL_PROVINCE_CODE = "990000"
    response = client.get("/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "大厅尚未初始化" in html and "load_reference_data" in html and "make run" in html


def test_home_is_503_when_the_main_hall_row_is_missing(client):
    Hall.objects.filter(region_id="440000").delete()
    assert client.get("/").status_code == 503
