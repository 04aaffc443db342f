"""Scenario trees, bundles, split and merge through the API and the desk."""

import json

import pytest
from django.urls import reverse

from govhall.catalog.models import Item
from govhall.catalog.services import scenarios
from govhall.regions.models import Department, Post

from .factories import department, editor, marriage_scenario, published_item, reviewer, staff

pytestmark = pytest.mark.django_db


def test_public_scenario_api_resolves_answers(client):
    item = published_item()
    scenarios.save_scenario(marriage_scenario(item))
    tree = client.get("/api/v1/scenarios/get-married/").json()
    assert tree["questions"][0]["options"][0]["outcomes"][0]["include_materials"] == ["M04"]
    body = client.post(
        "/api/v1/scenarios/get-married/resolve/",
        {"answers": {"remarry": "yes"}},
        content_type="application/json",
    ).json()
    assert body["complete"] is True
    [resolved] = body["items"]
    assert [m["name"] for m in resolved["materials_you_bring"]] == [
        "本人近期2寸半身免冠合影照片",
        "离婚证或离婚判决书",
    ]
    assert [m["name"] for m in resolved["materials_fetched"]] == ["居民身份证", "居民户口簿"]
    response = client.post(
        "/api/v1/scenarios/get-married/resolve/",
        {"answers": {"remarry": "maybe"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_option"


def test_scenario_document_round_trip_and_scope(client):
    item = published_item()
    scenarios.save_scenario(marriage_scenario(item))
    doc = scenarios.scenario_document(scenarios.Scenario.objects.get(code="get-married"))
    assert doc["questions"][0]["options"][1] == {
        "code": "no",
        "label": "否",
        "next": None,
        "outcomes": [
            {"item": item.implementation_code, "include_materials": [], "exclude_materials": []}
        ],
    }
    client.force_login(editor())
    assert client.get("/api/v1/catalog/scenarios/get-married/").status_code == 403
    client.force_login(reviewer())
    doc["name"] = "我要登记结婚"
    response = client.put(
        "/api/v1/catalog/scenarios/get-married/", doc, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["name"] == "我要登记结婚"
    chaozhou = staff(
        Post.CATALOGUE_REVIEWER,
        Department.objects.get(region_id="445100", name="潮州市机构编制委员会办公室"),
    )
    client.force_login(chaozhou)
    response = client.put(
        "/api/v1/catalog/scenarios/get-married/", doc, content_type="application/json"
    )
    assert response.status_code == 403


def test_scenario_edit_page(client):
    item = published_item()
    scenarios.save_scenario(marriage_scenario(item))
    client.force_login(reviewer())
    url = reverse("catalog:desk-scenario-edit", args=["get-married"])
    page = client.get(url).content.decode()
    assert "是否再婚？" in page
    response = client.post(url, {"document": "{not json"})
    assert response.status_code == 400
    assert "JSON格式错误：第1行第2列" in response.content.decode()
    doc = marriage_scenario(item)
    doc["questions"][0]["options"][0]["next"] = "nowhere"
    response = client.post(url, {"document": json.dumps(doc, ensure_ascii=False)})
    assert response.status_code == 400
    assert "指向的问题“nowhere”不存在" in response.content.decode()


def test_bundle_api(client):
    marriage = published_item()
    other = published_item(basic_code="QR00002000", name="婚姻登记档案查询")
    client.force_login(editor())
    body = {
        "name": "结婚一件事",
        "audience": "person",
        "region": "440700",
        "lead_department": department().credit_code,
        "members": [{"item": marriage.implementation_code}, {"item": other.implementation_code}],
    }
    response = client.put("/api/v1/catalog/bundles/marry/", body, content_type="application/json")
    assert response.status_code == 200
    assert [m["item"] for m in response.json()["members"]] == [
        marriage.implementation_code,
        other.implementation_code,
    ]
    listed = client.get("/api/v1/bundles/?region=440703").json()
    assert [b["code"] for b in listed] == ["marry"]
    client.force_login(editor(department("江门市公安局")))
    response = client.put("/api/v1/catalog/bundles/marry/", body, content_type="application/json")
    assert response.status_code == 403


def test_split_and_merge_from_the_desk(client):
    item = published_item()
    other = published_item(basic_code="QR00002000", name="涉外婚姻登记")
    client.force_login(editor())
    response = client.post(
        reverse("catalog:split", args=[item.implementation_code]),
        {"split-names": "只填一个", "split-change_summary": "按情形拆分"},
    )
    assert Item.objects.count() == 2
    response = client.post(
        reverse("catalog:split", args=[item.implementation_code]),
        {"split-names": "结婚登记\n补领结婚证", "split-change_summary": "按情形拆分"},
    )
    assert response.status_code == 302
    assert set(Item.objects.filter(status="draft").values_list("name", flat=True)) == {
        "结婚登记",
        "补领结婚证",
    }
    response = client.post(
        reverse("catalog:merge", args=[other.implementation_code]),
        {
            "merge-others": item.implementation_code,
            "merge-name": "婚姻登记（合并）",
            "merge-change_summary": "合并办理",
        },
    )
    merged = Item.objects.get(name="婚姻登记（合并）")
    assert response.url == reverse("catalog:version-edit", args=[merged.latest_version.pk])
    assert set(merged.latest_version.source_items.all()) == {item, other}


def test_split_api(client):
    item = published_item()
    client.force_login(editor())
    response = client.post(
        f"/api/v1/catalog/items/{item.implementation_code}/split/",
        {"parts": [{"name": "甲"}, {"name": "乙"}], "change_summary": "拆分"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert [d["change_type"] for d in response.json()["items"]] == ["split", "split"]


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"code": "x", "name": "x", "region": "440700", "questions": "none"}, "questions"),
        (
            {"code": "x", "name": "x", "questions": [{"code": "a", "text": "A", "options": [1]}]},
            "questions[0].options[0]",
        ),
        (
            {
                "code": "x",
                "name": "x",
                "region": "123456",
                "questions": [{"code": "a", "text": "A", "options": [{"code": "1", "label": "1"}]}],
            },
            "region",
        ),
    ],
)
def test_malformed_scenarios_are_400(client, doc, field):
    client.force_login(reviewer())
    response = client.put("/api/v1/catalog/scenarios/x/", doc, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_malformed_version_content_is_400(client):
    item = published_item()
    author = editor()
    client.force_login(author)
    draft = client.post(
        f"/api/v1/catalog/items/{item.implementation_code}/drafts/",
        {},
        content_type="application/json",
    ).json()
    for body in ({"relations": ["x"]}, {"relations": "x"}, {"materials": "x"}, {"materials": [3]}):
        response = client.put(
            f"/api/v1/catalog/versions/{draft['id']}/",
            {**draft, **body},
            content_type="application/json",
        )
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"].split("[")[0] in ("relations", "materials")
