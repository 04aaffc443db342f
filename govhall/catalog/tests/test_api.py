"""The catalogue API: the public contract (docs/api.md) and the staff write endpoints."""

import pytest

from govhall.catalog.models import ItemVersion
from govhall.catalog.services import documents

from .factories import department, editor, ensure_themes, published_item, reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Publish inside a captured on-commit block so the search index is updated."""

    def make(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return published_item(*args, **kwargs)

    return make


def test_item_list_is_paginated_and_filtered(client, indexed):
    marriage = indexed()
    other = indexed(
        department("潮州市民政局", "445100"),
        basic_code=marriage.basic_code,
        name="内地居民婚姻登记",
    )
    body = client.get("/api/v1/items/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    codes = {r["implementation_code"] for r in body["results"]}
    assert {marriage.implementation_code, other.implementation_code} <= codes
    body = client.get("/api/v1/items/?region=445100").json()
    assert [r["implementation_code"] for r in body["results"]] == [other.implementation_code]
    dept = department()
    body = client.get(f"/api/v1/items/?department={dept.credit_code}&audience=person").json()
    assert [r["implementation_code"] for r in body["results"]] == [marriage.implementation_code]
    assert client.get("/api/v1/items/?audience=company").json()["count"] == 0
    assert client.get("/api/v1/items/?theme=person-marriage").json()["count"] == 2
    row = body["results"][0]
    assert row["department_name"] == "江门市民政局" and row["region"] == "440700"
    assert row["url"] == marriage.get_absolute_url()


def test_item_list_bad_filters_are_400_with_field(client):
    body = client.get("/api/v1/items/?region=999999").json()
    assert body["errors"][0]["field"] == "region"
    response = client.get("/api/v1/items/?audience=alien")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "audience"
    assert client.get("/api/v1/items/?theme=nope").status_code == 400


def test_item_search_q(client, indexed):
    item = indexed()
    body = client.get("/api/v1/items/", {"q": "结婚登记"}).json()
    assert body["count"] >= 1
    assert body["results"][0]["implementation_code"] == item.implementation_code
    assert client.get("/api/v1/items/", {"q": "护照签注"}).json()["count"] == 0


def test_item_detail_is_the_full_guide(client):
    item = published_item()
    body = client.get(f"/api/v1/items/{item.implementation_code}/").json()
    for key in (
        "implementation_code",
        "basic_code",
        "item_type",
        "department",
        "region",
        "legal_basis",
        "conditions",
        "materials",
        "steps",
        "statutory_limit_days",
        "promised_limit_days",
        "fees",
        "visits",
        "depth",
        "channels",
        "themes",
        "related_items",
        "version",
    ):
        assert key in body, key
    assert body["department"] == {"code": department().credit_code, "name": "江门市民政局"}
    assert body["region"] == {"code": "440700", "name": "江门市"}
    assert body["statutory_limit_days"] == 1 and body["promised_limit_days"] == 0
    assert body["themes"][0]["code"] == "person-marriage"
    assert body["steps"][0] == {"name": "受理", "post": "clerk", "time_limit_days": 0, "result": ""}
    assert "risk_points" not in body["steps"][1]
    assert client.get("/api/v1/items/XX/").json()["errors"][0]["code"] == "not_found"


def test_themes_endpoint(client):
    ensure_themes()
    body = client.get("/api/v1/themes/").json()
    assert body["count"] == 5
    assert [t["audience"] for t in body["results"]][:3] == ["person"] * 3
    assert client.get("/api/v1/themes/?audience=company").json()["count"] == 2


def test_staff_api_journey(client):
    item = published_item()
    author, checker = editor(), reviewer()
    code = item.implementation_code
    assert client.post(f"/api/v1/catalog/items/{code}/drafts/", {}).status_code == 403

    client.force_login(author)
    response = client.post(
        f"/api/v1/catalog/items/{code}/drafts/",
        {"change_type": "change", "change_summary": "承诺时限调整"},
        content_type="application/json",
    )
    assert response.status_code == 201
    draft = response.json()
    assert draft["version"] == 2 and draft["state"] == "draft"
    content = {k: draft[k] for k in documents.CONTENT_KEYS}
    content["depth"] = 4
    response = client.put(
        f"/api/v1/catalog/versions/{draft['id']}/", content, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "visits",
            "code": "fully_online_zero_visits",
            "message": "网上办理深度为四级（全程网办）时，到现场次数必须为0。",
        }
    ]
    content["visits"] = 0
    content["visits_reason"] = ""
    response = client.put(
        f"/api/v1/catalog/versions/{draft['id']}/", content, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["visits"] == 0
    url = f"/api/v1/catalog/versions/{draft['id']}/"
    assert client.post(url + "submit/", {}, content_type="application/json").status_code == 200

    client.force_login(checker)
    response = client.post(url + "return/", {"comment": ""}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "comment"
    response = client.post(
        url + "return/", {"comment": "请补充现场核验的必要性"}, content_type="application/json"
    )
    assert response.json()["state"] == "returned"

    client.force_login(author)
    response = client.post(
        f"/api/v1/catalog/items/{code}/drafts/", {}, content_type="application/json"
    )
    fixed = response.json()
    assert fixed["version"] == 3 and fixed["change_type"] == "change"
    fixed_url = f"/api/v1/catalog/versions/{fixed['id']}/"
    client.post(fixed_url + "submit/", {}, content_type="application/json")
    client.force_login(checker)
    assert (
        client.post(fixed_url + "approve/", {}, content_type="application/json").status_code == 200
    )
    response = client.post(fixed_url + "publish/", {}, content_type="application/json")
    assert response.json()["state"] == "published"

    public = client.get(f"/api/v1/items/{code}/").json()
    assert public["version"] == 3 and public["visits"] == 0
    old = client.get(f"/api/v1/items/{code}/versions/1/").json()
    assert old["version"] == 1 and old["visits"] == 1
    diff = client.get(f"/api/v1/catalog/items/{code}/diff/?from=1&to=3").json()
    assert {c["field"] for c in diff["changes"]} == {"depth", "visits", "visits_reason"}
    assert ItemVersion.objects.get(pk=draft["id"]).state == "returned"


def test_staff_api_refuses_other_department(client):
    item = published_item()
    client.force_login(editor(department("江门市公安局")))
    response = client.post(
        f"/api/v1/catalog/items/{item.implementation_code}/drafts/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    response = client.put(
        f"/api/v1/catalog/versions/{item.current_id}/", {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_staff_api_create_item(client):
    ensure_themes()
    client.force_login(editor())
    dept = department()
    response = client.post(
        "/api/v1/catalog/items/",
        {
            "department": dept.credit_code,
            "item_type": "XK",
            "name": "测试许可",
            "basic_code": "QR00001000",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "basic_code_type_mismatch"
    response = client.post(
        "/api/v1/catalog/items/",
        {"department": dept.credit_code, "item_type": "XK", "name": "测试许可"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["basic_code"] == "XK00001000"
    other = department("江门市公安局")
    response = client.post(
        "/api/v1/catalog/items/",
        {"department": other.credit_code, "item_type": "XK", "name": "越权事项"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_openapi_schema_builds(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/items/{code}/" in response.content
