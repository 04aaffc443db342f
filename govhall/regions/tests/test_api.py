"""The public reference-data API (public contract, docs/api.md): regions, departments, halls."""

import pytest

from govhall.core.identifiers import validate_credit_code
from govhall.regions.models import Region

pytestmark = pytest.mark.django_db

# GB/T 2260 administrative division codes.
GUANGDONG_CITIES = {
    "440100": "广州市",
    "440200": "韶关市",
    "440300": "深圳市",
    "440400": "珠海市",
    "440500": "汕头市",
    "440600": "佛山市",
    "440700": "江门市",
    "440800": "湛江市",
    "440900": "茂名市",
    "441200": "肇庆市",
    "441300": "惠州市",
    "441400": "梅州市",
    "441500": "汕尾市",
    "441600": "河源市",
    "441700": "阳江市",
    "441800": "清远市",
    "441900": "东莞市",
    "442000": "中山市",
    "445100": "潮州市",
    "445200": "揭阳市",
    "445300": "云浮市",
}
JIANGMEN_COUNTIES = {
    "440703": "蓬江区",
    "440704": "江海区",
    "440705": "新会区",
    "440781": "台山市",
    "440783": "开平市",
    "440784": "鹤山市",
    "440785": "恩平市",
}
CHAOZHOU_COUNTIES = {"445102": "湘桥区", "445103": "潮安区", "445122": "饶平县"}


def children(client, parent: str, **params) -> dict:
    response = client.get("/api/v1/regions/", {"parent": parent, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_province_lists_exactly_the_21_prefecture_level_cities(client):
    body = children(client, "440000")
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 21
    assert body["next"] is None and body["previous"] is None
    assert {r["code"]: r["name"] for r in body["results"]} == GUANGDONG_CITIES
    assert {(r["level"], r["parent"]) for r in body["results"]} == {("city", "440000")}


def test_without_parent_the_province_itself_is_listed(client):
    body = client.get("/api/v1/regions/").json()
    assert [(r["code"], r["name"], r["level"], r["parent"]) for r in body["results"]] == [
        ("440000", "广东省", "province", None)
    ]


@pytest.mark.parametrize(
    ("city", "counties"), [("440700", JIANGMEN_COUNTIES), ("445100", CHAOZHOU_COUNTIES)]
)
def test_seed_cities_reach_counties_towns_and_villages(client, city, counties):
    body = children(client, city)
    assert {r["code"]: r["name"] for r in body["results"]} == counties
    assert {r["level"] for r in body["results"]} == {"county"}
    villages_seen = 0
    for county in counties:
        towns = children(client, county)["results"]
        assert towns, f"{county} has no towns"
        assert {t["level"] for t in towns} == {"town"}
        assert all(t["code"].startswith(county) and len(t["code"]) == 9 for t in towns)
        villages = children(client, towns[0]["code"])["results"]
        assert {v["level"] for v in villages} <= {"village"}
        assert all(v["parent"] == towns[0]["code"] for v in villages)
        villages_seen += len(villages)
    assert villages_seen > 0
    # Every town of the plans' cities has its villages loaded (村居网上办事点:
    # 潮府办函〔2017〕135号, 江府办函〔2016〕130号).
    towns_without_villages = Region.objects.filter(
        code__startswith=city[:4], level="town", children__isnull=True
    )
    assert not towns_without_villages.exists()


@pytest.mark.parametrize("city", ["441900", "442000"])
def test_dongguan_and_zhongshan_have_towns_directly_under_the_city(client, city):
    body = children(client, city)
    assert body["count"] > 10
    assert {r["level"] for r in body["results"]} == {"town"}
    assert all(r["parent"] == city for r in body["results"])
    assert not Region.objects.filter(parent_id=city, level="county").exists()


@pytest.mark.parametrize(
    ("value", "code_fragment"),
    [("999999", "不存在"), ("abc", "6、9或12位"), ("44070", "6、9或12位"), ("4407000", "6、9")],
)
def test_unknown_or_malformed_parent_is_a_400_naming_the_field(client, value, code_fragment):
    response = client.get("/api/v1/regions/", {"parent": value})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["parent"]
    assert code_fragment in errors[0]["message"]


def test_bad_level_filter_is_a_400(client):
    response = client.get("/api/v1/regions/", {"parent": "440700", "level": "planet"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "level"


def test_pagination_links(client):
    first = children(client, "440000", page_size=5)
    assert first["count"] == 21 and len(first["results"]) == 5
    assert first["previous"] is None and "page=2" in first["next"]
    last = children(client, "440000", page_size=5, page=5)
    assert [r["code"] for r in last["results"]] == ["445300"]
    assert last["next"] is None and "page=4" in last["previous"]
    response = client.get("/api/v1/regions/", {"parent": "440000", "page": 99})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_region_detail(client):
    body = client.get("/api/v1/regions/440781/").json()
    assert body == {"code": "440781", "name": "台山市", "level": "county", "parent": "440700"}
    assert client.get("/api/v1/regions/000000/").status_code == 404


def test_jiangmen_departments_carry_valid_credit_codes(client):
    response = client.get("/api/v1/departments/", {"region": "440700"})
    assert response.status_code == 200
    body = response.json()
    names = [d["name"] for d in body["results"]]
    for expected in ("江门市网络信息统筹局", "江门市行政服务中心", "江门市民政局"):
        assert expected in names
    assert body["count"] == len(names)
    for department in body["results"]:
        assert department["region"] == "440700"
        assert department["level"] == "city"
        result = validate_credit_code(department["code"])
        assert result.valid, (department["name"], result.errors)
        assert result.normalized == department["code"]


def test_department_detail_by_credit_code(client):
    listed = client.get("/api/v1/departments/", {"region": "440700", "q": "民政局"}).json()
    assert [d["name"] for d in listed["results"]] == ["江门市民政局"]
    code = listed["results"][0]["code"]
    detail = client.get(f"/api/v1/departments/{code}/").json()
    assert detail["name"] == "江门市民政局" and detail["region_name"] == "江门市"
    assert client.get("/api/v1/departments/91440000000000000X/").status_code == 404


def test_departments_of_an_unknown_region_is_a_400(client):
    response = client.get("/api/v1/departments/", {"region": "449999"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"


def test_halls_below_jiangmen_are_the_seven_county_branch_halls(client):
    body = client.get("/api/v1/halls/", {"parent": "440700"}).json()
    assert body["count"] == 7
    assert [h["region"] for h in body["results"]] == sorted(JIANGMEN_COUNTIES)
    assert {h["kind"] for h in body["results"]} == {"branch"}
    assert body["results"][0]["url"] == "/halls/440703/"
    assert body["results"][0]["name"] == "江门市蓬江区网上办事分厅"


def test_halls_below_a_town_are_village_points(client):
    town = Region.objects.filter(parent_id="440703").order_by("code").first()
    body = client.get("/api/v1/halls/", {"parent": town.code}).json()
    assert body["count"] == town.children.count() > 0
    assert {h["kind"] for h in body["results"]} == {"point"}


def test_main_hall_without_parent(client):
    body = client.get("/api/v1/halls/").json()
    assert [(h["region"], h["kind"], h["url"]) for h in body["results"]] == [
        ("440000", "main", "/")
    ]


def test_halls_with_unknown_parent_is_a_400(client):
    response = client.get("/api/v1/halls/", {"parent": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"
