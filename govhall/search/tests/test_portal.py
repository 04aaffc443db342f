"""The portal pages: search with filters and highlights, browsing, scenario navigation."""

import re

import pytest
from django.urls import reverse

from govhall.catalog.models import Item, Scenario, Theme

pytestmark = pytest.mark.usefixtures("catalog")

LICENCE = "企业设立登记（营业执照核发）"


def test_search_page_lists_highlighted_results_with_the_guide_link(client):
    response = client.get(reverse("catalog:search"), {"q": "营业执照", "region": "440700"})
    assert response.status_code == 200
    html = response.content.decode()
    item = Item.objects.get(name=LICENCE, region_id="440700")
    first = re.search(r'<h3 class="result-title"><a href="([^"]+)">(.*?)</a>', html)
    assert first.group(1) == item.get_absolute_url()
    assert "<mark>营业执照</mark>" in first.group(2)
    assert "本地事项" in html  # the region's own item is labelled
    assert re.search(r"找到\d+个事项", html)


def test_search_page_says_when_it_corrected_a_typo(client):
    html = client.get(reverse("catalog:search"), {"q": "营业执熙"}).content.decode()
    assert "已为您显示“营业执照”的结果" in html


def test_search_page_filters_and_facets(client):
    html = client.get(
        reverse("catalog:search"), {"q": "营业执照", "audience": "person", "region": "440700"}
    ).content.decode()
    assert "个体工商户设立登记" in html
    assert LICENCE not in html  # companies only
    assert 'aria-current="true"' in html  # the chosen facet is marked


def test_search_page_without_query_offers_popular_searches(client):
    html = client.get(reverse("catalog:search")).content.decode()
    assert "热门搜索" in html and "q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" in html


def test_bad_filter_values_are_ignored_not_errors(client):
    response = client.get(
        reverse("catalog:search"),
        {"q": "营业执照", "type": "ZZ", "audience": "alien", "department": "x", "region": "9"},
    )
    assert response.status_code == 200


def test_theme_pages(client):
    html = client.get(reverse("catalog:themes"), {"region": "440700"}).content.decode()
    assert html.count('class="theme-name"') == Theme.objects.count() == 65
    theme = client.get(reverse("catalog:theme", args=["c01"]), {"region": "440700"})
    assert LICENCE in theme.content.decode()
    assert client.get(reverse("catalog:theme", args=["nope"])).status_code == 404


def test_audience_department_and_life_event_pages(client):
    person = client.get(reverse("catalog:audience", args=["person"])).content.decode()
    assert "内地居民结婚登记" in person and LICENCE not in person
    assert client.get(reverse("catalog:audience", args=["aliens"])).status_code == 404
    departments = client.get(reverse("catalog:departments"), {"region": "440700"}).content.decode()
    assert "江门市工商行政管理局" in departments
    item = Item.objects.get(name=LICENCE, region_id="440700")
    department = client.get(reverse("catalog:department", args=[item.department.credit_code]))
    assert LICENCE in department.content.decode()
    event = client.get(reverse("catalog:life-event", args=["opening-a-restaurant"]))
    html = event.content.decode()
    assert "开餐馆一件事" in html and "我要开餐馆（江门市）" in html


def _walk(client, code, answers):
    params = {f"a-{q}": o for q, o in answers.items()}
    return client.get(reverse("catalog:scenario", args=[code]), params).content.decode()


def test_restaurant_scenario_asks_one_question_at_a_time(client):
    html = _walk(client, "open-a-restaurant-jiangmen", {})
    assert "您以什么身份开办餐馆？" in html and "<legend>" in html
    html = _walk(client, "open-a-restaurant-jiangmen", {"entity": "company"})
    assert "经营场所的建筑面积有多大？" in html
    assert "修改" in html  # the answer so far can be changed


def test_restaurant_scenario_ends_at_exact_items_and_materials(client):
    answers = {
        "entity": "company",
        "area": "large",
        "menu": "no",
        "alcohol": "yes",
        "tobacco": "no",
        "sign": "yes",
        "staff": "no",
    }
    html = _walk(client, "open-a-restaurant-jiangmen", answers)
    assert "您需要办理的事项" in html
    for name in (
        LICENCE,
        "食品经营许可证核发（新办）",
        "公众聚集场所投入使用、营业前消防安全检查",
        "酒类零售许可",
        "户外广告设施和招牌设置审批",
        "城镇污水排入排水管网许可",
    ):
        assert name in html, name
    for name in ("烟草专卖零售许可证核发", "用人单位社会保险登记", "个体工商户设立登记"):
        assert name not in html, name
    # conditional materials follow the answers: floor plan and health certificates yes,
    # the cold-food room only when cold food is served
    assert "经营场所平面图和周边环境示意图" in html
    assert "专间设置及操作流程说明" not in html
    # materials the hall fetches itself are listed apart from what to bring
    assert "无需提交，由大厅调取" in html and "电子证照：营业执照" in html


def test_cold_food_answer_adds_the_room_material(client):
    answers = {
        "entity": "sole-trader",
        "area": "small",
        "menu": "yes",
        "alcohol": "no",
        "tobacco": "no",
        "sign": "no",
        "staff": "no",
    }
    html = _walk(client, "open-a-restaurant-jiangmen", answers)
    assert "专间设置及操作流程说明" in html
    assert "个体工商户设立登记" in html and "公众聚集场所" not in html


def test_scenario_errors_are_explained(client):
    url = reverse("catalog:scenario", args=["open-a-restaurant-jiangmen"])
    # submitted without choosing
    html = client.get(url, {"q": "entity", "next": "1"}).content.decode()
    assert "请选择一项后再继续" in html and 'role="alert"' in html
    # a tampered link with an answer off the path starts over, never a 500
    response = client.get(url, {"a-nope": "x"})
    assert response.status_code == 200
    assert "请从第一个问题重新回答" in response.content.decode()
    assert client.get(reverse("catalog:scenario", args=["missing"])).status_code == 404
    assert Scenario.objects.filter(code="open-a-restaurant-jiangmen").exists()


def test_a_group_offers_the_other_regions_on_the_page_and_the_api_only_its_lead(client):
    from govhall.search.engine import search
    from govhall.search.grouping import GroupedResults, LeadItems

    lead = Item.objects.get(name=LICENCE, region_id="440700")
    others = Item.objects.published().filter(basic_code=lead.basic_code).exclude(pk=lead.pk)
    assert others.exists()
    grouped = GroupedResults(search("营业执照", region="440700"))
    (shown,) = [g for g in grouped.groups(0, 20) if g.item.pk == lead.pk]
    assert {o.pk for o in shown.others} == set(others.values_list("pk", flat=True))
    assert all(not g.others for g in grouped.groups(0, 20, others=False))
    assert [i.pk for i in LeadItems(grouped)[0:20]] == [g.item.pk for g in grouped.groups(0, 20)]

    html = client.get(reverse("catalog:search"), {"q": "营业执照", "region": "440700"})
    assert f"其他地区办理（{others.count()}个）" in html.content.decode()
