import pytest
from django.core.cache import cache
from django.test import Client

from govhall.baselib import services
from govhall.baselib.data import attributes as catalogue
from govhall.baselib.models import AttributeChange, Conflict
from govhall.baselib.services import themes, updates
from govhall.exchange.models import ExchangeCall
from govhall.exchange.services import clients
from govhall.exchange.tests.conftest import token_for
from govhall.regions.models import Post
from tests.factories import StaffPostFactory, bearer_header

from .conftest import CITIZEN, SPOUSE, department, household, marriage

pytestmark = pytest.mark.django_db


def staff_header(user) -> dict:
    return bearer_header(user, scope="openid staff")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _token(name, code, owner):
    client, secret = clients.register(
        name, code, "department", ["440000"], department_codes=[owner.credit_code]
    )
    answer = token_for(client.application.client_id, secret)
    assert answer["status"] == 200, answer
    return answer["access_token"]


def _push(token, records):
    return Client().post(
        "/api/v1/exchange/data-updates",
        data={"records": records},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def civil_token(civil_affairs):
    return _token("省民政厅婚姻登记系统", "gd-civil-affairs", civil_affairs)


@pytest.fixture
def police_token(public_security):
    return _token("省公安厅人口信息系统", "gd-public-security", public_security)


@pytest.fixture
def owner_staff(civil_affairs):
    return StaffPostFactory(department=civil_affairs, post=Post.REVIEWER).user


def test_sources_push_through_the_exchange_with_per_record_results(police_token, civil_token):
    response = _push(police_token, [household(), household(SPOUSE, "李秀英", "1987-09-02")])
    assert response.status_code == 200, response.json()
    assert response.json()["applied"] == 2
    # Civil affairs sends the marriage, and (wrongly) a household datum in a second record.
    wrong = household(ref="MZ-X")
    wrong["department"] = department(catalogue.CIVIL_AFFAIRS).credit_code
    wrong["values"] = {"household_status": "3"}
    response = _push(civil_token, [marriage(), wrong])
    body = response.json()
    assert (body["applied"], body["refused"]) == (1, 1)
    refused = body["results"][1]
    assert refused["status"] == "refused"
    assert "权威来源部门是广东省公安厅" in refused["errors"]["values.household_status"][0]
    assert services.read("person", CITIZEN, ["marital_status"])["marital_status"].value == "21"
    call = ExchangeCall.objects.filter(path="/api/v1/exchange/data-updates").order_by("at").last()
    assert (call.records, call.rejected) == (2, 1)


def test_a_client_cannot_send_for_another_department(police_token):
    record = marriage()  # names civil affairs, but the token is public security's client
    body = _push(police_token, [household(), record]).json()
    assert body["results"][1]["status"] == "refused"
    assert "不在本客户端登记的报送部门内" in body["results"][1]["errors"]["department"][0]


def test_batch_shape_is_checked_and_tokens_are_required(police_token):
    assert _push(police_token, []).status_code == 400
    response = Client().post(
        "/api/v1/exchange/data-updates",
        data={"records": [household()]},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_conflict_reaches_the_owner_list_page_and_api_and_is_resolved(
    police_token, civil_token, owner_staff
):
    _push(police_token, [household()])
    _push(civil_token, [marriage()])
    late = marriage(status="40", ref="L-SOON", on="2012-10-10")
    body = _push(civil_token, [late]).json()
    assert body["conflicts"] == 1
    conflict_id = body["results"][0]["conflict_id"]

    listed = Client().get("/api/v1/baselib/conflicts?status=open", **staff_header(owner_staff))
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["id"] == conflict_id and row["kind"] == "window"
    status_item = next(a for a in row["attributes"] if a["code"] == "marital_status")
    assert (status_item["stored"], status_item["reported"]) == ("初婚", "离婚")

    browser = Client()
    browser.force_login(owner_staff)
    page = browser.get("/workbench/baselib/conflicts/")
    assert page.status_code == 200
    assert "离婚" in page.content.decode() and "4407**********" in page.content.decode()

    # Another department's staff do not see it.
    outsider = StaffPostFactory(post=Post.REVIEWER).user
    other = Client().get("/api/v1/baselib/conflicts", **staff_header(outsider))
    assert other.json()["results"] == []
    assert (
        Client()
        .post(
            f"/api/v1/baselib/conflicts/{conflict_id}/resolve",
            data={"decision": "adopt"},
            content_type="application/json",
            **staff_header(outsider),
        )
        .status_code
        == 404
    )

    resolved = browser.post(
        f"/workbench/baselib/conflicts/{conflict_id}/resolve/",
        {"decision": "adopt", "note": "已核对离婚登记档案"},
    )
    assert resolved.status_code == 302
    assert Conflict.objects.get(pk=conflict_id).status == "adopted"
    assert services.read("person", CITIZEN, ["marital_status"])["marital_status"].value == "40"
    assert AttributeChange.objects.filter(record_ref="L-SOON", previous="21").exists()
    again = Client().post(
        f"/api/v1/baselib/conflicts/{conflict_id}/resolve",
        data={"decision": "keep"},
        content_type="application/json",
        **staff_header(owner_staff),
    )
    assert again.status_code == 409


def test_theme_page_and_api_list_counts(public_security, owner_staff):
    old = household(SPOUSE, "李秀英", "1930-01-01")
    updates.ingest([household(), old])
    themes.refresh_counts()
    api = Client().get("/api/v1/baselib/themes", **staff_header(owner_staff)).json()
    elderly = next(t for t in api["results"] if t["code"] == "elderly_80")
    assert elderly["count"] == 1
    assert "年满（周岁） 80" in elderly["conditions_text"][0]
    browser = Client()
    browser.force_login(owner_staff)
    page = browser.get("/workbench/baselib/themes/").content.decode()
    assert "80周岁以上老年人" in page
    overview = browser.get("/workbench/baselib/").content.decode()
    assert "婚姻状况" in overview and "广东省民政厅" in overview


def test_attribute_catalogue_api_names_owners(owner_staff):
    body = (
        Client()
        .get("/api/v1/baselib/attributes?library=population", **staff_header(owner_staff))
        .json()
    )
    owners = {row["code"]: row["owner"]["name"] for row in body["results"]}
    assert owners["marital_status"] == "广东省民政厅"
    assert owners["household_status"] == "广东省公安厅"
    assert owners["pension_insurance"] == "广东省人力资源和社会保障厅"


def test_pages_need_a_post():
    from tests.factories import UserFactory

    browser = Client()
    browser.force_login(UserFactory())
    assert browser.get("/workbench/baselib/").status_code == 403
